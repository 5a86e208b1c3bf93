export { CONTROL_IDS, type ControlId, isControlId } from "./catalogue.js";
export { referencesForProvider } from "./references.js";
export { CONTROLS, controlById } from "./registry.js";
export type {
  Control,
  ControlMetadata,
  ControlReference,
  ControlRemediation,
  ControlVerdict,
  EvaluationContext,
  OwnerControl,
  OwnerEvaluationContext,
  OwnerSubject,
  OwnerVerdictRow,
  ResourceControl,
  UnmappedEvaluationContext,
  VerdictRow,
} from "./types.js";
