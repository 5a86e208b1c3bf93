import { CONTROLS, type Control } from "@plumbline/rules";
import type { Log, ReportingDescriptor, Result } from "sarif";
import type { FindingView } from "../read/finding-query.js";
import { jsonArrayStream } from "./json-array.js";

const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

/** What the SARIF export says about the tool that produced it. */
export interface SarifOptions {
  toolVersion: string;
}

function levelOf(severity: FindingView["severity"]): "error" | "warning" | "note" {
  if (severity === "critical" || severity === "high") return "error";
  return severity === "medium" ? "warning" : "note";
}

function ruleOf(control: Control): ReportingDescriptor {
  const documentation = control.references.find((reference) => reference.kind === "documentation");
  const remediation = [control.remediation.azure, control.remediation.aws]
    .filter((text): text is string => text !== undefined)
    .join("\n\n");
  return {
    id: control.id,
    name: control.id.replace(/[.-](\w)/g, (_, letter: string) => letter.toUpperCase()),
    shortDescription: { text: control.title },
    fullDescription: { text: control.rationale },
    ...(remediation.length > 0 ? { help: { text: remediation } } : {}),
    ...(documentation?.kind === "documentation" ? { helpUri: documentation.url } : {}),
    defaultConfiguration: { level: levelOf(control.severity) },
    properties: {
      area: control.id.split(".")[0],
      severity: control.severity,
      scope: control.scope,
    },
  };
}

const ruleIndex = new Map<string, number>(CONTROLS.map((control, index) => [control.id, index]));

/**
 * A finding as a SARIF result: a fail is a `fail` result at a level from its severity; a waived
 * fail carries an external suppression; pass, not-applicable and error (could not be judged:
 * `review`) carry level `none`, as the specification requires for kinds other than fail.
 */
export function sarifResult(finding: FindingView): Result {
  const kind: Result["kind"] =
    finding.status === "pass"
      ? "pass"
      : finding.status === "not-applicable"
        ? "notApplicable"
        : finding.status === "error"
          ? "review"
          : "fail";
  const index = ruleIndex.get(finding.control);
  return {
    ruleId: finding.control,
    ...(index === undefined ? {} : { ruleIndex: index }),
    kind,
    level: kind === "fail" ? levelOf(finding.severity) : "none",
    message: { text: finding.message },
    locations: [
      {
        logicalLocations: [
          {
            fullyQualifiedName: finding.resource,
            kind: "resource",
            ...(finding.type === null ? {} : { name: finding.type }),
          },
        ],
      },
    ],
    partialFingerprints: { "plumblineFinding/v1": finding.id },
    ...(finding.waiver === null
      ? {}
      : {
          suppressions: [
            {
              kind: "external" as const,
              status: "accepted" as const,
              justification: `${finding.waiver.reason} (approved by ${finding.waiver.approvedBy}, expires ${finding.waiver.expires})`,
            },
          ],
        }),
    properties: {
      tenant: finding.tenant,
      status: finding.status,
      severity: finding.severity,
      provider: finding.provider,
      account: finding.account,
      region: finding.region,
      stale: finding.stale,
      staleReason: finding.staleReason,
      evidence: finding.evidence,
      statusSince: finding.statusSince,
    },
  };
}

/** The SARIF 2.1.0 log of the findings, streamed: one run, every control as a rule. */
export function findingsSarif(
  pages: AsyncIterable<FindingView[]>,
  options: SarifOptions,
): AsyncGenerator<string> {
  const head: Log = {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "Plumbline",
            version: options.toolVersion,
            rules: CONTROLS.map(ruleOf),
          },
        },
        columnKind: "unicodeCodePoints",
        results: [],
      },
    ],
  };
  // The head is serialised whole and split at its empty results array, where items stream in.
  const text = JSON.stringify(head);
  const marker = '"results":[]';
  const at = text.lastIndexOf(marker);
  const open = `${text.slice(0, at)}"results":[`;
  const close = text.slice(at + marker.length - 1);
  return jsonArrayStream(open, pages, sarifResult, close);
}
