import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createTestDatabase, queryDatabase } from "@plumbline/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ScanReport, scanReportSchema } from "../src/output/report-schema.js";
import { copyExampleEstate, scanExample } from "./support/harness.js";

const retail = "/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups";
const tools = `${retail}/rg-retail-app/providers/Microsoft.Storage/storageAccounts/stretailtools`;
const prompts = `${retail}/rg-retail-app/providers/Microsoft.Storage/storageAccounts/stretailprompts`;
const legacyVault = `${retail}/rg-retail-keys/providers/Microsoft.KeyVault/vaults/KV-Retail-Legacy`;

async function editJson(path: string, edit: (document: Record<string, unknown>) => void) {
  const document = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  edit(document);
  await writeFile(path, JSON.stringify(document, null, 2));
}

/** A drift event reduced to what the test compares: kind, owner, control and subject. */
function summarise(report: ScanReport) {
  return report.drift.map((event) => [
    event.kind,
    event.tenant,
    event.control ?? null,
    event.resource,
  ]);
}

describe("drift between two versions of the example estate", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let estate: string;

  beforeAll(async () => {
    database = await createTestDatabase("cli_drift");
    estate = await copyExampleEstate("drift");
  });

  afterAll(async () => {
    await database?.drop();
    await rm(estate, { recursive: true, force: true });
  });

  async function scan(format: "json" | "table" = "json") {
    const result = await scanExample(estate, database.url, format);
    expect(result.code).toBe(0);
    return result;
  }

  it("records a baseline first, then exactly the changes of the second estate", async () => {
    const first = scanReportSchema.parse(JSON.parse((await scan()).stdout));
    expect(first.drift).toEqual([]);
    expect(
      await queryDatabase(database.url, "select count(*)::int as n from drift_events"),
    ).toEqual([{ n: 0 }]);
    expect(await queryDatabase(database.url, "select count(*)::int as n from outbox")).toEqual([
      { n: 0 },
    ]);

    // The second estate: one storage account opens its public endpoint, one vault is deleted,
    // and another storage account's id arrives in a different case.
    await editJson(join(estate, "azure/retail/rg-retail-app/stretailtools.json"), (document) => {
      (document.properties as Record<string, unknown>).publicNetworkAccess = "Enabled";
    });
    await rm(join(estate, "azure/retail/rg-retail-keys/kv-retail-legacy.json"));
    await editJson(join(estate, "azure/retail/rg-retail-app/stretailprompts.json"), (document) => {
      document.id = String(document.id).replace("rg-retail-app", "RG-Retail-App");
    });
    const second = scanReportSchema.parse(JSON.parse((await scan()).stdout));

    expect(summarise(second)).toEqual([
      ["changed", "retail", null, tools],
      ["disappeared", "retail", null, legacyVault],
      ["opened", "retail", "network.public-access-disabled", tools],
      ["resolved", "retail", "keys.vault-recoverable", legacyVault],
      ["resolved", "retail", "network.private-endpoint", legacyVault],
      ["resolved", "retail", "network.public-access-disabled", legacyVault],
    ]);
    expect(second.drift[0]).toMatchObject({
      before: { publicNetworkAccess: "Disabled" },
      after: { publicNetworkAccess: "Enabled" },
    });
    expect(second.drift[1]).toMatchObject({ before: { region: "westeurope" } });
    expect(second.drift[2]).toMatchObject({
      before: { status: "pass" },
      after: { status: "fail" },
    });
    expect(second.drift[2]?.after?.evidence).toContainEqual({
      path: "properties.publicNetworkAccess",
      actual: "Enabled",
      expected: "Disabled",
    });
    expect(second.drift[3]).toMatchObject({ before: { status: "fail" } });
    expect(second.drift[3]).not.toHaveProperty("after");

    // The case change is not drift: one finding per control for the account, under its new id.
    const promptFindings = second.findings.filter(
      (finding) => finding.resource.toLowerCase() === prompts.toLowerCase(),
    );
    expect(promptFindings.length).toBeGreaterThan(0);
    expect(new Set(promptFindings.map((finding) => finding.resource))).toEqual(
      new Set([prompts.replace("rg-retail-app", "RG-Retail-App")]),
    );
    expect(second.findings.some((finding) => finding.resource === legacyVault)).toBe(false);
    expect(second.findings.some((finding) => finding.stale === true)).toBe(false);

    const state = await queryDatabase<{ resource: string }>(
      database.url,
      `select resource from finding_state where subject_key = lower('${prompts}')`,
    );
    expect(state.length).toBe(promptFindings.length);
    expect(
      await queryDatabase(
        database.url,
        `select 1 from finding_state where resource = '${legacyVault}'`,
      ),
    ).toEqual([]);

    const [latest] = await queryDatabase<{ cloud_calls: { calls: number; byService: object } }>(
      database.url,
      "select cloud_calls from scans order by started_at desc limit 1",
    );
    expect(latest?.cloud_calls.calls).toBeGreaterThan(0);
    expect(Object.keys(latest?.cloud_calls.byService ?? {}).sort()).toEqual(["aws", "azure"]);

    // One alert batch: the opened finding and the resolved critical ones; the resolved high
    // finding (network.private-endpoint) and the resource events are not alerts.
    const outbox = await queryDatabase<{ payload: { items: { kind: string; control: string }[] } }>(
      database.url,
      "select payload from outbox",
    );
    expect(outbox.map((row) => row.payload.items.map((item) => [item.kind, item.control]))).toEqual(
      [
        [
          ["opened", "network.public-access-disabled"],
          ["resolved", "keys.vault-recoverable"],
          ["resolved", "network.public-access-disabled"],
        ],
      ],
    );
  }, 180_000);

  it("prints the drift since the previous scan in the table", async () => {
    await editJson(join(estate, "azure/retail/rg-retail-app/stretailtools.json"), (document) => {
      (document.properties as Record<string, unknown>).publicNetworkAccess = "Disabled";
    });

    const table = (await scan("table")).stdout;

    expect(table).toContain("Drift since the previous scan (2)");
    expect(table).toMatch(
      /changed[\s│]+retail[\s│]+-[\s│]+storageAccounts\/stretailtools[\s│]+publicNetworkAccess: Enabled -> Disabled/,
    );
    expect(table).toMatch(
      /resolved[\s│]+retail[\s│]+network\.public-access-disabled[\s│]+storageAccounts\/stretailtools[\s│]+fail -> pass/,
    );

    const unchanged = (await scan("table")).stdout;
    expect(unchanged).toContain("No drift since the previous scan.");
  }, 180_000);
});
