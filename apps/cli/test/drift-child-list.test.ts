import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createTestDatabase } from "@plumbline/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ScanReport, scanReportSchema } from "../src/output/report-schema.js";
import { copyExampleEstate, scanExample } from "./support/harness.js";

const retail = "00000000-0000-0000-0000-00000000a001";

function isDeployment(finding: ScanReport["findings"][number]): boolean {
  return finding.type === "Microsoft.CognitiveServices/accounts/deployments";
}

describe("drift when a child list fails", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let estate: string;
  let settings: string;

  beforeAll(async () => {
    database = await createTestDatabase("cli_child_list");
    estate = await copyExampleEstate("child-list");
    settings = await readFile(join(estate, "estate.yaml"), "utf8");
  });

  afterAll(async () => {
    await database?.drop();
    await rm(estate, { recursive: true, force: true });
  });

  async function scan(): Promise<ScanReport> {
    const result = await scanExample(estate, database.url);
    expect(result.code).toBe(0);
    return scanReportSchema.parse(JSON.parse(result.stdout));
  }

  it("keeps the model deployments it could not list, stale, and resolves none of them", async () => {
    const first = await scan();
    const deployments = first.findings.filter(
      (finding) => isDeployment(finding) && finding.account === retail,
    );
    expect(deployments.length).toBeGreaterThan(0);

    await writeFile(
      join(estate, "estate.yaml"),
      `${settings}\nfaults:\n  - { operation: listDeployments, kind: fail-page, page: 1,` +
        ` account: "${retail}" }\n`,
    );
    const second = await scan();

    const collection = second.scan.accounts.find((row) => row.account === retail);
    expect(collection?.status).toBe("partial");
    expect(collection?.reason).toContain("model deployments of");
    const carried = second.findings.filter(
      (finding) => isDeployment(finding) && finding.account === retail,
    );
    const identity = (finding: ScanReport["findings"][number]) =>
      `${finding.control} ${finding.resource} ${finding.status}`;
    expect(carried.map(identity).sort()).toEqual(deployments.map(identity).sort());
    for (const finding of carried) {
      expect(finding.stale).toBe(true);
      expect(finding.staleReason).toContain(`azure account ${retail} was not collected completely`);
    }
    const lost = second.drift.filter(
      (event) => event.kind === "resolved" || event.kind === "disappeared",
    );
    expect(lost).toEqual([]);
  }, 180_000);
});
