export {
  type AlertBatch,
  type AlertCandidate,
  type AlertItem,
  type AlertKind,
  type DriftEventKind,
  driftEventKinds,
  selectAlerts,
} from "./alerts.js";
export {
  type CollectionOutcome,
  diffFindings,
  type FindingDiffOptions,
  type FindingDiffResult,
  type FindingEvent,
  type FindingEventKind,
  type FindingState,
  type VerdictSnapshot,
} from "./finding-diff.js";
export { accountKey, findingIdentity } from "./identity.js";
export {
  diffResource,
  type ResourceChange,
  type ResourceEventKind,
  watchedProperties,
} from "./resource-diff.js";
