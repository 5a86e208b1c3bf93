import { type Control, controlById, loadFrameworks, type Policy } from "@plumbline/rules";
import type { tables } from "@plumbline/store";
import { encodeFindingId } from "../http/identifiers.js";
import { areaOf } from "./finding-query.js";

/** A control of the catalogue as the API shows it, with the policy's settings. */
export interface ControlView {
  id: string;
  area: string;
  title: string;
  scope: "resource" | "owner";
  severity: Control["severity"];
  defaultSeverity: Control["severity"];
  enabled: boolean;
  rationale: string;
  remediation: { azure?: string; aws?: string };
  references: Control["references"];
  resourceTypes: string[];
  frameworks: {
    framework: string;
    frameworkTitle: string;
    requirement: string;
    requirementTitle: string;
    reason: string;
  }[];
}

/** The framework requirements each control supports, built once. */
let mappingsByControl: Map<string, ControlView["frameworks"]> | undefined;

function frameworkMappings(controlId: string): ControlView["frameworks"] {
  if (mappingsByControl === undefined) {
    mappingsByControl = new Map();
    for (const framework of loadFrameworks()) {
      for (const requirement of framework.requirements) {
        for (const mapping of requirement.controls) {
          const list = mappingsByControl.get(mapping.control) ?? [];
          list.push({
            framework: framework.name,
            frameworkTitle: framework.title,
            requirement: requirement.id,
            requirementTitle: requirement.title,
            reason: mapping.reason,
          });
          mappingsByControl.set(mapping.control, list);
        }
      }
    }
  }
  return mappingsByControl.get(controlId) ?? [];
}

/** A control with the policy's severity override and switch applied. */
export function controlView(control: Control, policy: Policy): ControlView {
  const settings = policy.controls[control.id];
  return {
    id: control.id,
    area: areaOf(control.id),
    title: control.title,
    scope: control.scope,
    severity: settings?.severity ?? control.severity,
    defaultSeverity: control.severity,
    enabled: settings?.enabled ?? true,
    rationale: control.rationale,
    remediation: { ...control.remediation },
    references: control.references,
    resourceTypes: [...control.resourceTypes],
    frameworks: frameworkMappings(control.id),
  };
}

/** The view of a control id, or null when the catalogue no longer has it. */
export function controlViewById(id: string, policy: Policy): ControlView | null {
  const control = controlById(id);
  return control === undefined ? null : controlView(control, policy);
}

type DriftRow = typeof tables.driftEvents.$inferSelect;

/**
 * A drift event as the API shows it. `resourceRef` is the route key of the resource the event
 * is about, given only when the resource is stored and the reader may open its page.
 */
export function driftEventView(row: DriftRow, resourceRef: string | null) {
  return {
    id: row.id,
    at: row.at.toISOString(),
    kind: row.kind,
    tenant: row.tenant,
    control: row.control,
    subjectKey: row.subjectKey,
    resource: row.resource,
    resourceRef,
    findingId:
      row.control === null
        ? null
        : encodeFindingId({ tenant: row.tenant, control: row.control, subjectKey: row.subjectKey }),
    provider: row.provider,
    account: row.account,
    region: row.region,
    severity: row.severity,
    before: row.before,
    after: row.after,
    scanId: row.scanId,
    batchId: row.batchId,
  };
}

/** An instant as ISO text, keeping null. */
export function isoOrNull(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}
