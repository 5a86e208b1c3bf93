import { describe, expect, it } from "vitest";
import { describeChange } from "./drift-change.js";

describe("describeChange", () => {
  it("names the verdicts on either side of a finding event", () => {
    expect(
      describeChange({
        kind: "opened",
        before: { status: "pass", evidence: [] },
        after: { status: "fail", evidence: [] },
      }),
    ).toBe("pass → fail");
    expect(describeChange({ kind: "opened", before: null, after: { status: "fail" } })).toBe(
      "new → fail",
    );
  });

  it("lists the evidence values that moved while the verdict stayed", () => {
    expect(
      describeChange({
        kind: "evidence-changed",
        before: { status: "fail", evidence: [{ path: "properties.publicNetworkAccess" }] },
        after: {
          status: "fail",
          evidence: [{ path: "properties.publicNetworkAccess", actual: "Enabled" }],
        },
      }),
    ).toBe("fail; evidence changed: properties.publicNetworkAccess absent → Enabled");
  });

  it("shows watched resource properties before and after a change", () => {
    expect(
      describeChange({
        kind: "changed",
        before: { publicNetworkAccess: "Disabled" },
        after: { publicNetworkAccess: "Enabled" },
      }),
    ).toBe("publicNetworkAccess: Disabled → Enabled");
  });
});
