import { describe, expect, it } from "vitest";
import { matchesGlob, ownerById, ownersOfAccount } from "./owners.js";
import { parsePolicy } from "./parse-policy.js";

const NOW = new Date("2026-12-03T10:00:00Z");

const { policy } = parsePolicy(
  [
    "version: 1",
    "platform:",
    "  accounts:",
    "    azure: [00000000-0000-0000-0000-00000000A0FF]",
    '    aws: ["999988887777"]',
    "  regions: { allowed: [westeurope] }",
    "tenants:",
    "  - id: retail",
    "    accounts:",
    "      azure: [00000000-0000-0000-0000-00000000a001]",
    '      aws: ["111122223333"]',
    "    regions: { allowed: [westeurope] }",
    "  - id: cards",
    "    accounts:",
    '      aws: ["111122223333", "999988887777"]',
    "    regions: { allowed: [eu-west-1] }",
  ].join("\n"),
  "plumbline.yaml",
  { now: NOW },
);

describe("ownersOfAccount", () => {
  it("finds the single owner of an Azure subscription whatever its case", () => {
    expect(ownersOfAccount(policy, "azure", "00000000-0000-0000-0000-00000000A001")).toEqual([
      "retail",
    ]);
    expect(ownersOfAccount(policy, "azure", "00000000-0000-0000-0000-00000000a0ff")).toEqual([
      "platform",
    ]);
  });

  it("lists every owner of an account listed twice, platform first", () => {
    expect(ownersOfAccount(policy, "aws", "111122223333")).toEqual(["retail", "cards"]);
    expect(ownersOfAccount(policy, "aws", "999988887777")).toEqual(["platform", "cards"]);
  });

  it("returns no owner for an unmapped account or the wrong cloud", () => {
    expect(ownersOfAccount(policy, "aws", "444455556666")).toEqual([]);
    expect(ownersOfAccount(policy, "azure", "111122223333")).toEqual([]);
  });

  it("finds owners by id", () => {
    expect(ownerById(policy, "cards")?.regions.allowed).toEqual(["eu-west-1"]);
    expect(ownerById(policy, "platform")?.name).toBe("Platform");
    expect(ownerById(policy, "unknown")).toBeUndefined();
  });
});

describe("matchesGlob", () => {
  const storage =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/RG-Legacy/providers/Microsoft.Storage/storageAccounts/stlegacy01";

  it("matches without regard to case and lets * cross slashes", () => {
    expect(
      matchesGlob(
        "/subscriptions/*/resourceGroups/rg-legacy/providers/Microsoft.Storage/storageAccounts/*",
        storage,
      ),
    ).toBe(true);
    expect(matchesGlob("*/microsoft.storage/storageaccounts/st*", storage)).toBe(true);
    expect(
      matchesGlob("/subscriptions/*/resourceGroups/rg-legacy/*", `${storage}/blobServices/default`),
    ).toBe(true);
  });

  it("takes every other character literally and anchors both ends", () => {
    expect(matchesGlob("arn:aws:s3:::retail-audit-*", "arn:aws:s3:::retail-audit-2026")).toBe(true);
    expect(matchesGlob("arn:aws:s3:::retail-audit-*", "arn:aws:s3:::retail-audit")).toBe(false);
    expect(matchesGlob("arn:aws:s3:::a.b", "arn:aws:s3:::axb")).toBe(false);
    expect(matchesGlob("*/vaults/kv-1", "/x/vaults/kv-10")).toBe(false);
    expect(matchesGlob("(prod)+", "(prod)+")).toBe(true);
  });
});
