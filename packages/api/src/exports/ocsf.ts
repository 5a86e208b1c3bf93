import { controlById, referencesForProvider, requirementsSupportedBy } from "@plumbline/rules";
import type { FindingView } from "../read/finding-query.js";
import { jsonArrayStream } from "./json-array.js";

/** OCSF schema version the export follows. */
export const OCSF_VERSION = "1.3.0";

const FINDINGS_CATEGORY = 2;
const COMPLIANCE_FINDING_CLASS = 2003;
const ACTIVITY_CREATE = 1;

const severityIds = { low: 2, medium: 3, high: 4, critical: 5 } as const;

/** OCSF compliance status: 1 Pass, 2 Warning, 3 Fail, 99 Other. */
function complianceStatus(status: FindingView["status"]): { id: number; name: string } {
  if (status === "pass") return { id: 1, name: "Pass" };
  if (status === "fail") return { id: 3, name: "Fail" };
  if (status === "waived") return { id: 2, name: "Warning" };
  return { id: 99, name: status === "error" ? "Error" : "Not applicable" };
}

/** OCSF finding status: 1 New for open findings, 3 Suppressed for waived ones, 4 Resolved for passes. */
function findingStatus(status: FindingView["status"]): { id: number; name: string } {
  if (status === "waived") return { id: 3, name: "Suppressed" };
  if (status === "pass" || status === "not-applicable") return { id: 4, name: "Resolved" };
  return { id: 1, name: "New" };
}

/** What the OCSF export says about the product that produced it. */
export interface OcsfOptions {
  productVersion: string;
}

/** A finding as an OCSF 1.3 Compliance Finding (class 2003) event. */
export function ocsfFinding(finding: FindingView, options: OcsfOptions): Record<string, unknown> {
  const control = controlById(finding.control);
  const compliance = complianceStatus(finding.status);
  const lifecycle = findingStatus(finding.status);
  const requirements = requirementsSupportedBy(finding.control);
  const remediation = [control?.remediation.azure, control?.remediation.aws].filter(
    (text): text is string => text !== undefined,
  );
  return {
    category_uid: FINDINGS_CATEGORY,
    category_name: "Findings",
    class_uid: COMPLIANCE_FINDING_CLASS,
    class_name: "Compliance Finding",
    activity_id: ACTIVITY_CREATE,
    activity_name: "Create",
    type_uid: COMPLIANCE_FINDING_CLASS * 100 + ACTIVITY_CREATE,
    type_name: "Compliance Finding: Create",
    severity_id: severityIds[finding.severity],
    severity: finding.severity[0]?.toUpperCase() + finding.severity.slice(1),
    time: Date.parse(finding.lastEvaluatedAt),
    status_id: lifecycle.id,
    status: lifecycle.name,
    message: finding.message,
    metadata: {
      version: OCSF_VERSION,
      product: { name: "Plumbline", vendor_name: "Plumbline", version: options.productVersion },
      uid: finding.id,
      ...(finding.tenant === null ? {} : { tenant_uid: finding.tenant }),
    },
    finding_info: {
      uid: finding.id,
      title: finding.controlTitle,
      desc: finding.message,
      created_time: Date.parse(finding.firstSeen),
      first_seen_time: Date.parse(finding.firstSeen),
      last_seen_time: Date.parse(finding.lastEvaluatedAt),
      modified_time: Date.parse(finding.statusSince),
      types: [finding.area],
    },
    compliance: {
      control: finding.control,
      standards: [...new Set(requirements.map((requirement) => requirement.framework))],
      requirements: requirements.map((r) => `${r.framework} ${r.requirement}`),
      status_id: compliance.id,
      status: compliance.name,
      status_detail: finding.message,
    },
    ...(remediation.length > 0
      ? {
          remediation: {
            desc: remediation.join("\n\n"),
            references: referencesForProvider(control?.references ?? [], finding.provider).flatMap(
              (reference) => (reference.kind === "documentation" ? [reference.url] : []),
            ),
          },
        }
      : {}),
    resources: [
      {
        uid: finding.subjectKey,
        name: finding.resource,
        ...(finding.type === null ? {} : { type: finding.type }),
        ...(finding.region === null ? {} : { region: finding.region }),
        ...(finding.provider === null ? {} : { cloud_partition: finding.provider }),
        ...(finding.tenant === null ? {} : { owner: { name: finding.tenant } }),
      },
    ],
    ...(finding.provider === null
      ? {}
      : {
          cloud: {
            provider: finding.provider === "azure" ? "Azure" : "AWS",
            ...(finding.account === null ? {} : { account: { uid: finding.account } }),
            ...(finding.region === null ? {} : { region: finding.region }),
          },
        }),
    unmapped: {
      evidence: finding.evidence,
      stale: finding.stale,
      stale_reason: finding.staleReason,
      waiver: finding.waiver,
      verdict: finding.status,
    },
  };
}

/** The OCSF export: a JSON array of Compliance Finding events, streamed. */
export function findingsOcsf(
  pages: AsyncIterable<FindingView[]>,
  options: OcsfOptions,
): AsyncGenerator<string> {
  return jsonArrayStream("[", pages, (finding) => ocsfFinding(finding, options), "]");
}
