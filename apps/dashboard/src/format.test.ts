import { describe, expect, it } from "vitest";
import { formatAge, formatMoment, formatValue, shortName } from "./format.js";
import { isAccountStale } from "./stale.js";

describe("formatting for auditors", () => {
  it("prints instants in UTC to the minute", () => {
    expect(formatMoment("2026-12-03T19:10:59.000Z")).toBe("2026-12-03 19:10 UTC");
    expect(formatMoment(null)).toBe("—");
  });

  it("says how long ago in the largest whole unit", () => {
    const now = new Date("2026-12-03T12:00:00Z");
    expect(formatAge("2026-12-03T11:58:00Z", now)).toBe("2 min ago");
    expect(formatAge("2026-12-03T02:00:00Z", now)).toBe("10 h ago");
    expect(formatAge("2026-11-28T12:00:00Z", now)).toBe("5 days ago");
    expect(formatAge(null, now)).toBe("never");
  });

  it("tells an absent value from null and from a string", () => {
    expect(formatValue(undefined, false)).toBe("absent");
    expect(formatValue(null)).toBe("null");
    expect(formatValue("Disabled")).toBe("Disabled");
    expect(formatValue(true)).toBe("true");
  });

  it("names a resource by the last segment of its ARM id or ARN", () => {
    expect(shortName("/subscriptions/s/resourceGroups/rg/providers/X/vaults/kv-retail-app")).toBe(
      "kv-retail-app",
    );
    expect(shortName("arn:aws:s3:::retail-prompts-euw1")).toBe("retail-prompts-euw1");
    expect(shortName("arn:aws:rds:eu-west-1:111122223333:db:retail-orders")).toBe("retail-orders");
    expect(shortName("111122223333")).toBe("111122223333");
  });
});

describe("stale accounts", () => {
  const account = {
    provider: "azure" as const,
    account: "a",
    status: "complete" as const,
    reason: null,
    resources: 3,
    lastScanId: "s",
    lastCollectedAt: "2026-12-03T10:00:00Z",
    ageHours: 2,
  };

  it("are those not collected completely within a day", () => {
    expect(isAccountStale(account)).toBe(false);
    expect(isAccountStale({ ...account, ageHours: 30 })).toBe(true);
    expect(isAccountStale({ ...account, status: "partial" })).toBe(true);
    expect(isAccountStale({ ...account, status: "never-collected", ageHours: null })).toBe(true);
  });
});
