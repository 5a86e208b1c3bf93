import { describe, expect, it } from "vitest";
import type { Finding } from "../model.js";
import { type CollectionOutcome, diffFindings, type FindingState } from "./finding-diff.js";
import { findingIdentity } from "./identity.js";

const earlier = new Date("2026-11-01T10:00:00Z");
const at = new Date("2026-12-03T10:00:00Z");
const subscription = "00000000-0000-0000-0000-00000000a001";

function vaultFinding(name: string, status: Finding["status"], purge: unknown = false): Finding {
  const resource =
    `/subscriptions/${subscription}/resourceGroups/rg-keys` +
    `/providers/Microsoft.KeyVault/vaults/${name}`;
  return {
    control: "keys.vault-recoverable",
    provider: "azure",
    account: subscription,
    tenant: "retail",
    resource,
    subjectKey: resource.toLowerCase(),
    type: "Microsoft.KeyVault/vaults",
    region: "westeurope",
    status,
    severity: "critical",
    message: `Key vault ${name} has properties.enablePurgeProtection ${String(purge)}.`,
    evidence: [{ path: "properties.enablePurgeProtection", actual: purge, expected: true }],
  };
}

function stateOf(finding: Finding): FindingState {
  return { finding, firstSeen: earlier, statusSince: earlier, lastEvaluatedAt: earlier };
}

const complete: CollectionOutcome = {
  provider: "azure",
  account: subscription,
  status: "complete",
  reason: null,
};
const partial: CollectionOutcome = {
  ...complete,
  status: "partial",
  reason: "Resource Graph page 2 failed with HTTP 500",
};

describe("diffFindings", () => {
  it("opens a finding that starts failing and resolves one that passes again", () => {
    const result = diffFindings({
      previous: [
        stateOf(vaultFinding("kv-a", "pass", true)),
        stateOf(vaultFinding("kv-b", "fail")),
      ],
      current: [vaultFinding("kv-a", "fail"), vaultFinding("kv-b", "pass", true)],
      collections: [complete],
      at,
    });

    expect(result.events.map((event) => [event.kind, event.finding.resource.slice(-4)])).toEqual([
      ["opened", "kv-a"],
      ["resolved", "kv-b"],
    ]);
    expect(result.events[0]?.before).toEqual({
      status: "pass",
      message: "Key vault kv-a has properties.enablePurgeProtection true.",
      evidence: [{ path: "properties.enablePurgeProtection", actual: true, expected: true }],
    });
    expect(result.events[0]?.after?.status).toBe("fail");
    expect(result.next.map((state) => state.statusSince)).toEqual([at, at]);
    expect(result.next.map((state) => state.firstSeen)).toEqual([earlier, earlier]);
    expect(result.removed).toEqual([]);
  });

  it("reopens a failure that was resolved before", () => {
    const failing = vaultFinding("kv-a", "fail");
    const result = diffFindings({
      previous: [stateOf(vaultFinding("kv-a", "pass", true))],
      current: [failing],
      collections: [complete],
      resolvedBefore: new Set([findingIdentity(failing)]),
      at,
    });

    expect(result.events.map((event) => event.kind)).toEqual(["reopened"]);
  });

  it("records waivers granted and expired, and evidence that changed under one verdict", () => {
    const waived: Finding = {
      ...vaultFinding("kv-a", "waived"),
      waiver: {
        reason: "Retired next quarter",
        approvedBy: "dpo@example.com",
        ticket: null,
        expires: "2026-12-01",
        verdict: "fail",
      },
    };
    const result = diffFindings({
      previous: [
        stateOf(vaultFinding("kv-a", "fail")),
        stateOf({
          ...waived,
          resource: waived.resource.replace("kv-a", "kv-b"),
          subjectKey: waived.subjectKey.replace("kv-a", "kv-b"),
        }),
        stateOf(vaultFinding("kv-c", "fail", false)),
      ],
      current: [waived, vaultFinding("kv-b", "fail"), vaultFinding("kv-c", "fail", null)],
      collections: [complete],
      at,
    });

    expect(result.events.map((event) => event.kind)).toEqual([
      "waived",
      "waiver-expired",
      "evidence-changed",
    ]);
  });

  it("records no evidence change when only the expected side moved with the evaluation date", () => {
    const before = vaultFinding("kv-a", "pass");
    const withExpected = (expected: string) => ({
      ...before,
      evidence: [{ path: "properties.attributes.exp", actual: 1893456000, expected }],
    });
    const result = diffFindings({
      previous: [stateOf(withExpected("absent, or after 2026-12-03T10:00:00.000Z"))],
      current: [withExpected("absent, or after 2026-12-04T10:00:00.000Z")],
      collections: [complete],
      at,
    });

    expect(result.events).toEqual([]);
  });

  it("records nothing for an id whose case changed or a verdict that stayed the same", () => {
    const before = vaultFinding("kv-a", "fail");
    const upper = { ...before, resource: before.resource.toUpperCase() };
    const result = diffFindings({
      previous: [stateOf(before)],
      current: [upper],
      collections: [complete],
      at,
    });

    expect(result.events).toEqual([]);
    expect(result.next).toEqual([
      { finding: upper, firstSeen: earlier, statusSince: earlier, lastEvaluatedAt: at },
    ]);
  });

  it("resolves the failures of a subject gone from a complete collection and drops its state", () => {
    const gone = vaultFinding("kv-gone", "fail");
    const passing = vaultFinding("kv-passing", "pass", true);
    const result = diffFindings({
      previous: [stateOf(gone), stateOf(passing)],
      current: [],
      collections: [complete],
      at,
    });

    expect(result.events).toEqual([
      {
        kind: "resolved",
        finding: gone,
        before: { status: "fail", message: gone.message, evidence: gone.evidence },
        after: null,
        at,
      },
    ]);
    expect(result.removed).toEqual([gone, passing]);
    expect(result.next).toEqual([]);
  });

  it("carries on the missing findings of a partial account as stale, resolving none", () => {
    const gone = vaultFinding("kv-gone", "fail");
    const result = diffFindings({
      previous: [stateOf(gone)],
      current: [],
      collections: [partial],
      at,
    });

    expect(result.events).toEqual([]);
    expect(result.removed).toEqual([]);
    expect(result.next).toEqual([
      {
        finding: {
          ...gone,
          stale: true,
          staleReason:
            `azure account ${subscription} was not collected completely (partial): ` +
            "Resource Graph page 2 failed with HTTP 500",
        },
        firstSeen: earlier,
        statusSince: earlier,
        lastEvaluatedAt: earlier,
      },
    ]);
  });

  it("keeps the previous verdict of a resource the partial collection did not see", () => {
    const before = vaultFinding("kv-old", "fail");
    const result = diffFindings({
      previous: [stateOf(before)],
      current: [vaultFinding("kv-old", "pass", true)],
      collections: [{ ...partial, account: subscription.toUpperCase() }],
      unseenSubjects: new Set([before.subjectKey]),
      at,
    });

    expect(result.events).toEqual([]);
    expect(result.next[0]?.finding.status).toBe("fail");
    expect(result.next[0]?.finding.stale).toBe(true);
  });

  it("clears the stale mark once the account is collected completely again", () => {
    const stale = { ...vaultFinding("kv-a", "fail"), stale: true as const, staleReason: "x" };
    const result = diffFindings({
      previous: [stateOf(stale)],
      current: [vaultFinding("kv-a", "fail")],
      collections: [complete],
      at,
    });

    expect(result.events).toEqual([]);
    expect(result.next[0]?.finding).toEqual(vaultFinding("kv-a", "fail"));
  });

  it("resolves a waived finding that passes, and a gone stage finding whatever the accounts", () => {
    const stage: Finding = {
      control: "dataflow.stage-resolves",
      provider: null,
      account: null,
      tenant: "retail",
      resource: "tenant/retail/dataflow/retrieval",
      subjectKey: "tenant/retail/dataflow/retrieval",
      type: null,
      region: null,
      status: "fail",
      severity: "high",
      message: "Stage retrieval selects no resource.",
      evidence: [],
    };
    const result = diffFindings({
      previous: [stateOf(vaultFinding("kv-a", "waived")), stateOf(stage)],
      current: [vaultFinding("kv-a", "pass", true)],
      collections: [partial],
      at,
    });

    expect(result.events.map((event) => [event.kind, event.finding.control])).toEqual([
      ["resolved", "keys.vault-recoverable"],
      ["resolved", "dataflow.stage-resolves"],
    ]);
    expect(result.removed).toEqual([stage]);
  });

  it("records the state of a baseline evaluation without any event", () => {
    const result = diffFindings({
      previous: [],
      current: [vaultFinding("kv-a", "fail"), vaultFinding("kv-b", "waived")],
      collections: [complete],
      at,
      baseline: true,
    });

    expect(result.events).toEqual([]);
    expect(result.next).toHaveLength(2);
  });

  it("does not open again a failure that was unreadable for a while", () => {
    const failing = vaultFinding("kv-a", "fail");
    const options = {
      previous: [stateOf(vaultFinding("kv-a", "error"))],
      current: [failing],
      collections: [complete],
      at,
    };

    expect(
      diffFindings({ ...options, openBefore: new Set([findingIdentity(failing)]) }).events,
    ).toEqual([]);
    expect(diffFindings(options).events.map((event) => event.kind)).toEqual(["opened"]);
  });

  it("neither opens nor resolves a finding on an error verdict", () => {
    const result = diffFindings({
      previous: [
        stateOf(vaultFinding("kv-a", "pass", true)),
        stateOf(vaultFinding("kv-b", "fail")),
      ],
      current: [vaultFinding("kv-a", "error"), vaultFinding("kv-b", "error")],
      collections: [complete],
      at,
    });

    expect(result.events).toEqual([]);
    expect(result.next.map((state) => state.finding.status)).toEqual(["error", "error"]);
  });

  it("resolves an open failure that passes after being unreadable, and only an open one", () => {
    const fixed = vaultFinding("kv-a", "pass", true);
    const options = {
      previous: [stateOf(vaultFinding("kv-a", "error"))],
      current: [fixed],
      collections: [complete],
      at,
    };

    const resolved = diffFindings({ ...options, openBefore: new Set([findingIdentity(fixed)]) });
    expect(
      resolved.events.map((event) => [event.kind, event.before?.status, event.after?.status]),
    ).toEqual([["resolved", "error", "pass"]]);
    expect(diffFindings(options).events).toEqual([]);
  });
});
