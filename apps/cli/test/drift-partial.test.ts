import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createTestDatabase, queryDatabase } from "@plumbline/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ScanReport, scanReportSchema } from "../src/output/report-schema.js";
import { copyExampleEstate, scanExample } from "./support/harness.js";

const account = "111122223333";
const scratch = "arn:aws:s3:::retail-scratch-euw1";

/** Findings of one account as comparable rows: control, subject and verdict. */
function verdictsOf(report: ScanReport) {
  return report.findings
    .filter((finding) => finding.account === account)
    .map((finding) => [finding.control, finding.resource, finding.status].join(" "))
    .sort();
}

describe("drift when a collection fails part-way", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let estate: string;
  let settings: string;

  beforeAll(async () => {
    database = await createTestDatabase("cli_partial");
    estate = await copyExampleEstate("partial");
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

  it("carries the account's findings on as stale and resolves nothing", async () => {
    const first = await scan();
    const scratchFailures = first.findings
      .filter((finding) => finding.resource === scratch && finding.status === "fail")
      .map((finding) => finding.control)
      .sort();
    expect(scratchFailures.length).toBeGreaterThan(0);

    // The second collection of the account fails for good on its second eu-west-1 page, and the
    // scratch bucket is gone from the cloud: the scan cannot tell the two apart.
    await writeFile(
      join(estate, "estate.yaml"),
      `${settings}\npageSize: { config: 1 }\nfaults:\n` +
        `  - { operation: SelectResourceConfig, kind: fail-page, page: 2, account: "${account}",` +
        " region: eu-west-1 }\n",
    );
    await rm(join(estate, "aws/111122223333/eu-west-1/s3-retail-scratch-euw1.json"));
    const second = await scan();

    const collection = second.scan.accounts.find((row) => row.account === account);
    expect(collection?.status).toBe("partial");
    const reason = collection?.reason ?? "";
    expect(reason).toMatch(/^SelectResourceConfig page 2 in eu-west-1 failed/);
    expect(second.drift).toEqual([]);

    // Every verdict of the account is still there, the same as before, but for the account-level
    // check that rests on something being absent: unprovable now, so an error, which is no drift.
    const egress = `network.egress-firewall-logged ${account}`;
    expect(verdictsOf(second)).toEqual(
      verdictsOf(first).map((row) => (row === `${egress} pass` ? `${egress} error` : row)),
    );
    const scratchFindings = second.findings.filter((finding) => finding.resource === scratch);
    expect(scratchFindings.length).toBe(
      first.findings.filter((finding) => finding.resource === scratch).length,
    );
    for (const finding of scratchFindings) {
      expect(finding.stale).toBe(true);
      expect(finding.staleReason).toBe(
        `aws account ${account} was not collected completely (partial): ${reason}`,
      );
    }
    // Resources the collection did see are judged afresh; other accounts are untouched.
    expect(second.findings.filter((finding) => finding.stale === true).length).toBeLessThan(
      second.findings.filter((finding) => finding.account === account).length,
    );
    expect(
      second.findings.some((finding) => finding.stale === true && finding.account !== account),
    ).toBe(false);

    expect(
      await queryDatabase(
        database.url,
        `select deleted_at from resources where key = '${scratch}'`,
      ),
    ).toEqual([{ deleted_at: null }]);
    expect(
      await queryDatabase(
        database.url,
        "select count(*)::int as n from drift_events where kind in ('resolved', 'disappeared')",
      ),
    ).toEqual([{ n: 0 }]);
    const state = await queryDatabase<{ stale: boolean; stale_reason: string }>(
      database.url,
      `select stale, stale_reason from finding_state where subject_key = '${scratch}'`,
    );
    expect(state.length).toBe(scratchFindings.length);
    expect(state.every((row) => row.stale && row.stale_reason.includes(reason))).toBe(true);

    // Once the account is collected completely again, the bucket is gone and its failures end.
    await writeFile(join(estate, "estate.yaml"), settings);
    const third = await scan();

    expect(third.scan.accounts.find((row) => row.account === account)?.status).toBe("complete");
    expect(third.findings.some((finding) => finding.stale === true)).toBe(false);
    expect(third.drift.map((event) => [event.kind, event.control ?? null, event.resource])).toEqual(
      [
        ["disappeared", null, scratch],
        ...scratchFailures.map((control) => ["resolved", control, scratch]),
      ],
    );
  }, 180_000);
});
