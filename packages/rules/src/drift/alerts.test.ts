import { describe, expect, it } from "vitest";
import { type AlertCandidate, selectAlerts } from "./alerts.js";

const at = new Date("2026-12-03T10:00:00Z");

function candidate(overrides: Partial<AlertCandidate>): AlertCandidate {
  return {
    eventId: 1,
    kind: "opened",
    tenant: "retail",
    control: "keys.vault-recoverable",
    severity: "high",
    resource: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
    subjectKey: "/subscriptions/s/resourcegroups/rg/providers/microsoft.keyvault/vaults/kv",
    provider: "azure",
    account: "s",
    region: "westeurope",
    message: "Key vault kv has properties.enablePurgeProtection false; expected true.",
    before: "pass",
    after: "fail",
    at,
    stale: false,
    ...overrides,
  };
}

describe("selectAlerts", () => {
  it("alerts on opened, reopened and waiver-expired at or above the least severity", () => {
    const items = selectAlerts(
      [
        candidate({ eventId: 1, kind: "opened", severity: "high" }),
        candidate({ eventId: 2, kind: "reopened", severity: "critical" }),
        candidate({ eventId: 3, kind: "waiver-expired", severity: "high" }),
        candidate({ eventId: 4, kind: "opened", severity: "medium" }),
        candidate({ eventId: 5, kind: "waived", severity: "critical" }),
        candidate({ eventId: 6, kind: "evidence-changed", severity: "critical" }),
      ],
      { minSeverity: "high" },
    );

    expect(items.map((item) => [item.eventId, item.kind])).toEqual([
      [1, "opened"],
      [2, "reopened"],
      [3, "waiver-expired"],
    ]);
    expect(items[0]).toEqual({
      eventId: 1,
      kind: "opened",
      tenant: "retail",
      control: "keys.vault-recoverable",
      controlTitle: "Key vaults cannot lose keys: soft delete and purge protection are both on",
      severity: "high",
      resource: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
      subjectKey: "/subscriptions/s/resourcegroups/rg/providers/microsoft.keyvault/vaults/kv",
      provider: "azure",
      account: "s",
      region: "westeurope",
      message: "Key vault kv has properties.enablePurgeProtection false; expected true.",
      before: "pass",
      after: "fail",
      at: "2026-12-03T10:00:00.000Z",
    });
  });

  it("alerts on a resolution only when the finding is critical", () => {
    const items = selectAlerts(
      [
        candidate({ eventId: 1, kind: "resolved", severity: "critical", after: "pass" }),
        candidate({ eventId: 2, kind: "resolved", severity: "high", after: "pass" }),
      ],
      { minSeverity: "low" },
    );

    expect(items.map((item) => item.eventId)).toEqual([1]);
  });

  it("never alerts on a stale finding or a resource event", () => {
    const items = selectAlerts(
      [
        candidate({ stale: true, severity: "critical" }),
        candidate({ kind: "disappeared", control: null, severity: null }),
      ],
      { minSeverity: "low" },
    );

    expect(items).toEqual([]);
  });
});
