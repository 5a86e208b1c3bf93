import { Writable } from "node:stream";
import { createTestDatabase, queryDatabase } from "@plumbline/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommandIo } from "../src/commands/command-io.js";
import { demoCommand } from "../src/commands/demo.js";
import { scanReportSchema } from "../src/output/report-schema.js";
import { fromRoot, runCommand } from "./support/harness.js";

const retail = "/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups";
const wealth = "/subscriptions/00000000-0000-0000-0000-00000000a002/resourceGroups";
const cognitive = "providers/Microsoft.CognitiveServices/accounts";
const agents = `${retail}/rg-retail-ai/${cognitive}/ais-retail-gwc/deployments/gpt-4o-agents`;
const storage = "providers/Microsoft.Storage/storageAccounts";
const exportAccount = `${wealth}/rg-wealth-data/${storage}/stwealthexport`;
const wealthOpenAi = `${wealth}/rg-wealth-research/${cognitive}/oai-wealth-sdc`;
const ordersDb = "arn:aws:rds:eu-west-1:111122223333:db:retail-orders-db";
const tmpBucket = "arn:aws:s3:::retail-tmp-euw1";
const bedrockEndpoint = "arn:aws:ec2:eu-west-1:444455556666:vpc-endpoint/vpce-0b2c3d4e5f6a73001";
const wealthAiVpc = "arn:aws:ec2:eu-west-1:444455556666:vpc/vpc-0b2c3d4e5f6a70001";

class CapturedStream extends Writable {
  text = "";
  override _write(chunk: Buffer | string, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Command io whose clock starts at `start` and moves one millisecond each time it is read. */
function ioStartingAt(start: string): CommandIo & { stdout: CapturedStream } {
  const origin = Date.parse(start);
  let ticks = 0;
  return {
    stdout: new CapturedStream(),
    stderr: new CapturedStream(),
    env: { PLUMBLINE_LOG_LEVEL: "silent" },
    logger: pino({ level: "silent" }),
    clock: () => new Date(origin + ticks++),
    interactive: false,
  };
}

interface DriftRow extends Record<string, unknown> {
  kind: string;
  tenant: string | null;
  control: string | null;
  resource: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  scan_id: string;
}

interface ScanRow extends Record<string, unknown> {
  id: string;
  started_at: Date;
}

/** A finding reduced to what a plain scan must agree on. */
function findingLine(finding: {
  tenant: string | null;
  control: string;
  resource: string;
  status: string;
  message: string;
}): string {
  return [finding.tenant, finding.control, finding.resource, finding.status, finding.message].join(
    " | ",
  );
}

describe("plumbline demo over a store without scans", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let plainDatabase: Awaited<ReturnType<typeof createTestDatabase>>;
  let firstRun: ReturnType<typeof ioStartingAt>;

  const scans = () =>
    queryDatabase<ScanRow>(database.url, "select id, started_at from scans order by started_at");
  const driftEvents = () =>
    queryDatabase<DriftRow>(
      database.url,
      `select kind::text as kind, tenant, control, resource, before, after, scan_id
         from drift_events order by kind::text, resource, control nulls first`,
    );

  beforeAll(async () => {
    database = await createTestDatabase("demo_earlier");
    plainDatabase = await createTestDatabase("demo_plain");
    firstRun = ioStartingAt("2026-12-03T00:00:00.000Z");
    const code = await demoCommand(
      { db: database.url, port: "0" },
      firstRun,
      async () => undefined,
    );
    expect(code).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await database?.drop();
    await plainDatabase?.drop();
  });

  it("scans the example estate of a week earlier first, then today's estate", async () => {
    const [earlier, today, ...more] = await scans();

    expect(more).toEqual([]);
    expect(earlier?.started_at.toISOString()).toMatch(/^2026-11-26T00:00:00/);
    expect(today?.started_at.toISOString()).toMatch(/^2026-12-03T00:00:00/);
    expect(firstRun.stdout.text).toContain(
      "Drift:          12 events, from replaying the estate of 7 days ago " +
        "(examples/estate-earlier).",
    );
  });

  it("dates what each scan saw by that scan's clock, not by the wall's", async () => {
    const [snapshots, ordersDbRow] = await Promise.all([
      queryDatabase<{ captured_at: Date }>(
        database.url,
        `select captured_at from resource_snapshots where resource_key = $1 order by captured_at`,
        [ordersDb],
      ),
      queryDatabase<{ first_seen: Date; last_seen: Date }>(
        database.url,
        "select first_seen, last_seen from resources where key = $1",
        [ordersDb],
      ),
    ]);
    const days = (dates: Date[]) => dates.map((date) => date.toISOString().slice(0, 10));

    // Made private between the two scans: one snapshot of each content, a week apart.
    expect(days(snapshots.map((row) => row.captured_at))).toEqual(["2026-11-26", "2026-12-03"]);
    expect(
      days([ordersDbRow[0]?.first_seen, ordersDbRow[0]?.last_seen].flatMap((d) => d ?? [])),
    ).toEqual(["2026-11-26", "2026-12-03"]);
    const gone = await queryDatabase<{ deleted_at: Date | null }>(
      database.url,
      "select deleted_at from resources where key = $1",
      [tmpBucket],
    );
    expect(days(gone.flatMap((row) => row.deleted_at ?? []))).toEqual(["2026-12-03"]);
  });

  it("records the replayed changes as drift of today's scan", async () => {
    const [, today] = await scans();
    const events = await driftEvents();

    expect(
      events.map((event) => [event.kind, event.tenant, event.control, event.resource]),
    ).toEqual([
      ["appeared", "wealth", null, bedrockEndpoint],
      ["changed", "retail", null, agents],
      ["changed", "wealth", null, exportAccount],
      ["changed", "retail", null, ordersDb],
      ["disappeared", "retail", null, tmpBucket],
      ["evidence-changed", "wealth", "network.private-endpoint", wealthAiVpc],
      ["opened", "retail", "tenancy.model-allowed", agents],
      ["opened", "wealth", "network.public-access-disabled", exportAccount],
      ["opened", "wealth", "keys.cmk-usable", wealthOpenAi],
      ["resolved", "retail", "network.public-access-disabled", ordersDb],
      ["resolved", "retail", "keys.storage-cmk", tmpBucket],
      // The earlier scan fell before 2026-11-30, while waiver CHG-2104 was still in force.
      ["waiver-expired", "wealth", "network.egress-firewall-logged", "444455556666"],
    ]);
    expect(new Set(events.map((event) => event.scan_id))).toEqual(new Set([today?.id]));

    const find = (kind: string, resource: string, control: string | null = null) =>
      events.find(
        (event) => event.kind === kind && event.resource === resource && event.control === control,
      );
    expect(find("changed", exportAccount)).toMatchObject({
      before: { publicNetworkAccess: "Disabled" },
      after: { publicNetworkAccess: "Enabled" },
    });
    expect(find("changed", agents)).toMatchObject({
      before: { deploymentModel: { name: "gpt-4o", version: "2024-08-06" } },
      after: { deploymentModel: { name: "gpt-4o", version: "2024-11-20" } },
    });
    expect(find("changed", ordersDb)).toMatchObject({
      before: { publiclyAccessible: true },
      after: { publiclyAccessible: false },
    });
    expect(find("opened", wealthOpenAi, "keys.cmk-usable")).toMatchObject({
      before: { status: "pass" },
      after: { status: "fail" },
    });
    expect(find("opened", wealthOpenAi, "keys.cmk-usable")?.after?.message).toContain(
      "key cmk-wealth-ai in vault kv-hub-cmk is disabled",
    );
    expect(find("resolved", ordersDb, "network.public-access-disabled")).toMatchObject({
      before: { status: "fail" },
      after: { status: "pass" },
    });
    expect(find("resolved", tmpBucket, "keys.storage-cmk")).toMatchObject({
      before: { status: "fail" },
      after: null,
    });
  });

  it("gives today's estate the findings a plain scan of it gives", async () => {
    const [, today] = await scans();
    const stored = await queryDatabase<{
      tenant: string | null;
      control: string;
      resource: string;
      status: string;
      message: string;
    }>(
      database.url,
      "select tenant, control, resource, status::text as status, message " +
        "from findings where scan_id = $1",
      [today?.id],
    );

    const plain = await runCommand([
      "scan",
      ...["--policy", fromRoot("examples/plumbline.yaml"), "--estate", fromRoot("examples/estate")],
      ...["--db", plainDatabase.url, "--format", "json", "--now", "2026-12-03"],
    ]);
    expect(plain.code).toBe(0);
    const report = scanReportSchema.parse(JSON.parse(plain.stdout));

    expect(stored.length).toBeGreaterThan(300);
    expect(stored.map(findingLine).sort()).toEqual(report.findings.map(findingLine).sort());
  }, 180_000);

  it("replays nothing again on a later run over the same store", async () => {
    const before = await driftEvents();
    const laterRun = ioStartingAt("2026-12-03T01:00:00.000Z");

    const code = await demoCommand(
      { db: database.url, port: "0" },
      laterRun,
      async () => undefined,
    );

    expect(code).toBe(0);
    expect(await scans()).toHaveLength(3);
    expect(await driftEvents()).toEqual(before);
    expect(laterRun.stdout.text).toContain("Scanned the example estate: complete, 5 accounts.");
    expect(laterRun.stdout.text).not.toContain("Drift:");
  }, 180_000);
});
