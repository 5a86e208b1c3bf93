import { describe, expect, it } from "vitest";
import { CONTROL_IDS } from "../controls/catalogue.js";
import {
  FRAMEWORK_NAMES,
  frameworkByName,
  loadFrameworks,
  requirementsSupportedBy,
} from "./catalogue.js";
import { FrameworkDataError, parseFramework } from "./framework-schema.js";
import gdpr from "./gdpr.json" with { type: "json" };

const validFramework = {
  name: "example",
  title: "Example framework",
  citation: "Example 1/2026",
  url: "https://example.org/framework",
  requirements: [
    {
      id: "R-1",
      title: "Encryption at rest",
      controls: [{ control: "keys.storage-cmk", reason: "Object storage is encrypted." }],
    },
  ],
};

function withRequirements(requirements: unknown[]): unknown {
  return { ...validFramework, requirements };
}

describe("framework mappings", () => {
  it("loads the six shipped frameworks in listing order, each under the name of its file", () => {
    expect(FRAMEWORK_NAMES).toEqual(["gdpr", "dora", "iso27001", "nis2", "c5", "eu-ai-act"]);
    expect(loadFrameworks().map((framework) => framework.name)).toEqual([...FRAMEWORK_NAMES]);
  });

  it("maps only control ids of the catalogue, at least one per requirement", () => {
    const known: readonly string[] = CONTROL_IDS;
    for (const framework of loadFrameworks()) {
      expect(framework.requirements.length, framework.name).toBeGreaterThan(0);
      for (const requirement of framework.requirements) {
        expect(requirement.controls.length, requirement.id).toBeGreaterThan(0);
        for (const mapping of requirement.controls) {
          expect(known, `${framework.name} ${requirement.id}`).toContain(mapping.control);
        }
      }
    }
  });

  it("maps every control of the catalogue to at least one requirement", () => {
    const unmapped = CONTROL_IDS.filter((id) => requirementsSupportedBy(id).length === 0);
    expect(unmapped).toEqual([]);
  });

  it("rejects a mapping to a control id the catalogue does not have, naming file and place", () => {
    const data = withRequirements([
      {
        id: "R-1",
        title: "Encryption at rest",
        controls: [{ control: "keys.everything-encrypted", reason: "Not a control of ours." }],
      },
    ]);

    expect(() => parseFramework(data, "frameworks/example.json")).toThrow(FrameworkDataError);
    expect(() => parseFramework(data, "frameworks/example.json")).toThrow(
      /^frameworks\/example\.json: [\s\S]*requirements\[0\]\.controls\[0\]\.control/,
    );
  });

  it("rejects a requirement listed twice, a control mapped twice and a reason over two lines", () => {
    const mapping = { control: "keys.storage-cmk", reason: "Object storage is encrypted." };
    const twice = withRequirements([
      { id: "R-1", title: "Encryption at rest", controls: [mapping] },
      { id: "R-1", title: "Encryption at rest", controls: [mapping] },
    ]);
    const doubleControl = withRequirements([
      { id: "R-1", title: "Encryption at rest", controls: [mapping, mapping] },
    ]);
    const twoLines = withRequirements([
      {
        id: "R-1",
        title: "Encryption at rest",
        controls: [{ control: "keys.storage-cmk", reason: "Object storage\nis encrypted." }],
      },
    ]);

    expect(() => parseFramework(twice, "x.json")).toThrow(/requirement R-1 appears twice/);
    expect(() => parseFramework(doubleControl, "x.json")).toThrow(
      /keys\.storage-cmk is mapped twice to R-1/,
    );
    expect(() => parseFramework(twoLines, "x.json")).toThrow(/must be one line/);
  });

  it("rejects a framework without requirements and a requirement without controls", () => {
    expect(() => parseFramework(withRequirements([]), "x.json")).toThrow(FrameworkDataError);
    expect(() =>
      parseFramework(
        withRequirements([{ id: "R-1", title: "Encryption at rest", controls: [] }]),
        "x.json",
      ),
    ).toThrow(FrameworkDataError);
  });

  it("accepts the shipped GDPR file unchanged", () => {
    expect(parseFramework(gdpr, "frameworks/gdpr.json").requirements[0]?.id).toBe("Art. 32(1)(a)");
  });

  it("finds a framework by name without regard to case and returns undefined for others", () => {
    expect(frameworkByName("ISO27001")?.citation).toBe("ISO/IEC 27001:2022");
    expect(frameworkByName("sox")).toBeUndefined();
  });

  it("lists the requirements a control supports with framework, title and reason", () => {
    const supported = requirementsSupportedBy("keys.vault-recoverable");

    expect(supported.map((entry) => `${entry.framework} ${entry.requirement}`)).toEqual([
      "gdpr Art. 32(1)(c)",
      "dora Art. 9(4)(d)",
      "dora Art. 12",
      "iso27001 A.8.13",
      "iso27001 A.8.24",
      "nis2 Art. 21(2)(c)",
      "c5 CRY-04",
    ]);
    expect(supported[0]).toEqual({
      framework: "gdpr",
      requirement: "Art. 32(1)(c)",
      title:
        "Security of processing: ability to restore availability of and access to personal data",
      reason:
        "Soft delete with purge protection lets a deleted key, and so the data encrypted with it, be recovered.",
    });
    expect(requirementsSupportedBy("keys.not-a-control")).toEqual([]);
  });
});
