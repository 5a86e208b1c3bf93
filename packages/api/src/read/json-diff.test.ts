import { describe, expect, it } from "vitest";
import { diffJson } from "./json-diff.js";

describe("diffJson", () => {
  it("reports added, removed and changed leaves with dotted paths", () => {
    const before = {
      properties: { publicNetworkAccess: "Disabled", sku: { name: "S0" }, rules: [1, 2] },
      old: true,
    };
    const after = {
      properties: { publicNetworkAccess: "Enabled", sku: { name: "S0" }, rules: [1, 3, 4] },
      "new key": 1,
    };
    expect(diffJson(before, after)).toEqual([
      { path: '["new key"]', kind: "added", after: 1 },
      { path: "old", kind: "removed", before: true },
      {
        path: "properties.publicNetworkAccess",
        kind: "changed",
        before: "Disabled",
        after: "Enabled",
      },
      { path: "properties.rules[1]", kind: "changed", before: 2, after: 3 },
      { path: "properties.rules[2]", kind: "added", after: 4 },
    ]);
  });

  it("finds nothing between equal documents and a change between different types", () => {
    expect(diffJson({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toEqual([]);
    expect(diffJson({ a: { b: 1 } }, { a: "x" })).toEqual([
      { path: "a", kind: "changed", before: { b: 1 }, after: "x" },
    ]);
  });
});
