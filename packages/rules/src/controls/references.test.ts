import { describe, expect, it } from "vitest";
import { referencesForProvider } from "./references.js";
import { controlById } from "./registry.js";
import type { ControlReference } from "./types.js";

const references: ControlReference[] = [
  { kind: "azure-policy", name: "Allowed locations" },
  { kind: "aws-config-rule", name: "s3-default-encryption-kms" },
  {
    kind: "documentation",
    title: "Amazon Bedrock: geographic cross-Region inference",
    url: "https://docs.aws.amazon.com/bedrock/latest/userguide/geographic-cross-region-inference.html",
    provider: "aws",
  },
  {
    kind: "documentation",
    title: "GDPR Article 30: records of processing activities",
    url: "https://gdpr-info.eu/art-30-gdpr/",
  },
];

describe("referencesForProvider", () => {
  it("keeps an Azure subject's own and neutral references, and drops the AWS ones", () => {
    expect(referencesForProvider(references, "azure")).toEqual([references[0], references[3]]);
  });

  it("keeps an AWS subject's own and neutral references, and drops the Azure ones", () => {
    expect(referencesForProvider(references, "aws")).toEqual([
      references[1],
      references[2],
      references[3],
    ]);
  });

  it("keeps every reference for a subject of no cloud", () => {
    expect(referencesForProvider(references, null)).toEqual(references);
  });

  it("shows an Azure finding of dataflow.stage-region no Bedrock page", () => {
    const control = controlById("dataflow.stage-region");
    const titles = referencesForProvider(control?.references ?? [], "azure").map((reference) =>
      reference.kind === "documentation" ? reference.title : reference.name,
    );
    expect(titles).toEqual(["Allowed locations"]);
  });
});
