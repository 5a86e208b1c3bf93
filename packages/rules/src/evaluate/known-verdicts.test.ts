import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listTestData, readTestData, TEST_DATA_DIR } from "../../test/support/fixtures.js";
import { fromArmDocument } from "../canonical/from-arm-document.js";
import { fromConfigItem } from "../canonical/from-config-item.js";
import type { AccountCollection, CanonicalResource, Finding } from "../model.js";
import { parsePolicy } from "../policy/parse-policy.js";
import { evaluate } from "./evaluator.js";

/** The known-verdict cases of test-data/cases, for every control they cover. */
const IMPLEMENTED = new Set([
  "residency.region-allowed",
  "keys.storage-cmk",
  "keys.ai-cmk",
  "keys.database-cmk",
  "keys.vault-recoverable",
  "identity.local-auth-disabled",
  "network.public-access-disabled",
  "network.private-endpoint",
]);

interface ExpectedRow {
  case: string;
  fault: string;
  control: string;
  resource: string;
  status: string;
  why: string;
}

const NOW = new Date("2026-12-03T10:00:00Z");

function documentsIn(dir: string): Record<string, unknown>[] {
  return listTestData(dir).flatMap((file) => {
    const parsed: unknown = readTestData(join(dir, file));
    return (Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[];
  });
}

function loadCaseFindings(): Finding[] {
  const resources: CanonicalResource[] = [
    ...documentsIn("cases/estate/azure").map((d) => fromArmDocument(d)),
    ...documentsIn("cases/estate/aws").map((d) => fromConfigItem(d)),
  ];
  const accounts: AccountCollection[] = [
    {
      provider: "azure",
      account: "00000000-0000-0000-0000-000000000000",
      status: "complete",
      reason: null,
      resources: resources.filter((r) => r.provider === "azure").length,
      skippedRegions: [],
      completeRegions: [],
    },
    {
      provider: "aws",
      account: "111122223333",
      status: "complete",
      reason: null,
      resources: resources.filter((r) => r.provider === "aws").length,
      skippedRegions: [],
      completeRegions: ["eu-west-1"],
    },
  ];
  const text = readFileSync(join(TEST_DATA_DIR, "cases/plumbline.yaml"), "utf8");
  const { policy } = parsePolicy(text, "plumbline.yaml", { now: NOW });
  return evaluate({ resources, accounts }, policy, NOW);
}

const findings = loadCaseFindings();
const expected = (readTestData("cases/expected.json") as ExpectedRow[]).filter((row) =>
  IMPLEMENTED.has(row.control),
);

describe("known-verdict cases", () => {
  for (const row of expected) {
    const subject = row.resource.split("/").pop() ?? row.resource;
    it(`${row.case} guards against ${row.fault}: ${row.control} on ${subject} is ${row.status}`, () => {
      const matching = findings.filter(
        (f) => f.control === row.control && f.resource === row.resource,
      );
      expect(matching).toHaveLength(1);
      expect(matching[0]?.status, matching[0]?.message).toBe(row.status);
      expect(matching[0]?.tenant).toBe("acme");
    });
  }

  it("covers every expected row of the implemented controls", () => {
    expect(expected.length).toBe(25);
  });

  it("judges AI and database keys only on the types those controls list", () => {
    const typesOf = (control: string) =>
      findings.filter((f) => f.control === control).map((f) => f.type);
    expect(typesOf("keys.ai-cmk")).toEqual(
      Array.from({ length: 6 }, () => "Microsoft.CognitiveServices/accounts"),
    );
    expect(typesOf("keys.database-cmk")).toEqual([
      "Microsoft.DBforPostgreSQL/flexibleServers",
      "Microsoft.DBforPostgreSQL/flexibleServers",
    ]);
  });

  it("emits no finding for resources outside the types of a control", () => {
    const vaultFindings = findings.filter((f) => f.control === "keys.vault-recoverable");
    expect(new Set(vaultFindings.map((f) => f.type))).toEqual(
      new Set(["Microsoft.KeyVault/vaults"]),
    );
    expect(vaultFindings).toHaveLength(3);
  });
});
