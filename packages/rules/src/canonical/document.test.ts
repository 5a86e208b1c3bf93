import { describe, expect, it } from "vitest";
import { readPath } from "./document.js";

describe("readPath", () => {
  const document = {
    properties: {
      encryption: { keySource: "Microsoft.Keyvault" },
      rules: [{ id: "r1" }],
      cleared: null,
      blank: "",
      mistyped: "on",
    },
  };

  it("reads nested keys and array items", () => {
    expect(readPath(document, "properties.encryption.keySource")).toBe("Microsoft.Keyvault");
    expect(readPath(document, "properties.rules[0].id")).toBe("r1");
  });

  it("treats a missing step, a null and an empty string on the way as absent", () => {
    expect(readPath(document, "properties.missing.keySource")).toBeUndefined();
    expect(readPath(document, "properties.cleared.keySource")).toBeUndefined();
    expect(readPath(document, "properties.blank.keySource")).toBeUndefined();
    expect(readPath(document, "properties.cleared")).toBeNull();
  });

  it("returns a scalar found where an object should be, so that it is not read as absent", () => {
    expect(readPath(document, "properties.mistyped.keySource")).toBe("on");
    expect(readPath(document, "properties.mistyped[0]")).toBe("on");
    expect(readPath({ properties: 7 }, "properties.encryption.keySource")).toBe(7);
  });

  it("treats an array where an object should be, and the reverse, as absent", () => {
    expect(readPath(document, "properties.rules.id")).toBeUndefined();
    expect(readPath(document, "properties.encryption[0]")).toBeUndefined();
  });
});
