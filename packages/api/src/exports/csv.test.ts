import { describe, expect, it } from "vitest";
import { csvField } from "./csv.js";

describe("csvField", () => {
  it("quotes separators, quotes and line breaks as RFC 4180 asks", () => {
    expect(csvField('vault "kv", west\nrow')).toBe('"vault ""kv"", west\nrow"');
    expect(csvField("plain")).toBe("plain");
    expect(csvField(null)).toBe("");
    expect(csvField(false)).toBe("false");
  });

  it("defuses text a spreadsheet would run as a formula", () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("@sum")).toBe("'@sum");
    expect(csvField("/subscriptions/a")).toBe("/subscriptions/a");
  });
});
