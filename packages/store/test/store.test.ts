import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { CanonicalResource, Finding } from "@plumbline/rules";
import { postgresServerUrl, queryDatabase } from "@plumbline/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store, StoreError } from "../src/index.js";
import { makeBucket, makeFinding, makeRunTag, makeStorageAccount } from "./support/sample-data.js";
import { type OpenedStore, storeVariants } from "./support/store-variants.js";

async function collectPages<T>(pages: AsyncIterable<T[]>): Promise<T[][]> {
  const collected: T[][] = [];
  for await (const page of pages) {
    collected.push(page);
  }
  return collected;
}

async function collectAll<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  return (await collectPages(pages)).flat();
}

function compareCodeUnits(left: string, right: string): number {
  if (left === right) {
    return 0;
  }
  return left < right ? -1 : 1;
}

function sortFindings(list: Finding[]): Finding[] {
  return [...list].sort(
    (left, right) =>
      compareCodeUnits(left.tenant ?? "", right.tenant ?? "") ||
      compareCodeUnits(left.control, right.control) ||
      compareCodeUnits(left.resource, right.resource),
  );
}

async function readMigrationCount(): Promise<number> {
  const journal = JSON.parse(
    await readFile(new URL("../drizzle/meta/_journal.json", import.meta.url), "utf8"),
  ) as { entries: unknown[] };
  return journal.entries.length;
}

describe.each(storeVariants)("the store on $driver", ({ open }) => {
  let opened: OpenedStore | undefined;
  let store: Store;

  beforeAll(async () => {
    opened = await open();
    store = opened.store;
  }, 60_000);

  afterAll(async () => {
    await opened?.store.close();
    await opened?.dispose();
  });

  it("applies every migration on open and finds nothing to apply the second time", async () => {
    const migrations = await readMigrationCount();

    expect(await store.migrate()).toEqual({ applied: 0, total: migrations });
    expect(await store.migrate()).toEqual({ applied: 0, total: migrations });

    if (opened?.url !== undefined) {
      const tables = await queryDatabase<{ table_name: string }>(
        opened.url,
        "select table_name from information_schema.tables where table_schema = 'public' order by 1",
      );
      expect(tables.map((row) => row.table_name)).toEqual([
        "access_log",
        "api_tokens",
        "drift_events",
        "finding_state",
        "findings",
        "notification_channels",
        "outbox",
        "resource_snapshots",
        "resources",
        "scan_accounts",
        "scans",
      ]);
    }
  });

  it("records a scan from start to finish with the collection of each account", async () => {
    const startedAt = new Date(Date.now() + 3_600_000);
    const scan = await store.createScan({
      trigger: "schedule",
      policyHash: "sha256:abc",
      startedAt,
    });

    expect(scan.startedAt).toEqual(startedAt);
    expect(await store.getScan(scan.id)).toEqual({
      id: scan.id,
      startedAt,
      finishedAt: null,
      status: "running",
      trigger: "schedule",
      policyHash: "sha256:abc",
      kind: "full",
      owner: null,
      cloudCalls: null,
      accounts: [],
    });

    const azureStarted = new Date(startedAt.getTime() + 1_000);
    const azureFinished = new Date(startedAt.getTime() + 9_000);
    await store.recordAccountCollection(
      scan.id,
      "tenant-claims",
      {
        provider: "azure",
        account: "0b1f6471-1bf0-4dda-aec3-cb9272f09590",
        status: "complete",
        reason: null,
        resources: 12,
        skippedRegions: [],
        completeRegions: [],
      },
      { startedAt: azureStarted, finishedAt: azureFinished },
    );
    const awsCollection = {
      provider: "aws" as const,
      account: "111122223333",
      status: "partial" as const,
      reason: "AWS Config throttled eu-central-1",
      resources: 3,
      skippedRegions: ["me-south-1"],
      completeRegions: ["eu-west-1"],
    };
    await store.recordAccountCollection(scan.id, null, awsCollection, {
      startedAt: azureStarted,
      finishedAt: azureFinished,
    });
    // A retried collection of the same account replaces the first record.
    await store.recordAccountCollection(
      scan.id,
      "platform",
      { ...awsCollection, resources: 4, completeRegions: ["eu-west-1", "eu-central-1"] },
      { startedAt: azureStarted, finishedAt: azureFinished },
    );
    const finishedAt = new Date(startedAt.getTime() + 10_000);
    const cloudCalls = {
      calls: 14,
      throttled: 2,
      byService: {
        "resource-graph": { calls: 4, throttled: 2 },
        config: { calls: 10, throttled: 0 },
      },
    };
    await store.finishScan(scan.id, "partial", finishedAt, cloudCalls);

    const expected = {
      id: scan.id,
      startedAt,
      finishedAt,
      status: "partial",
      trigger: "schedule",
      policyHash: "sha256:abc",
      kind: "full",
      owner: null,
      cloudCalls,
      accounts: [
        {
          provider: "azure",
          account: "0b1f6471-1bf0-4dda-aec3-cb9272f09590",
          owner: "tenant-claims",
          status: "complete",
          reason: null,
          resources: 12,
          skippedRegions: [],
          completeRegions: [],
          startedAt: azureStarted,
          finishedAt: azureFinished,
        },
        {
          provider: "aws",
          account: "111122223333",
          owner: "platform",
          status: "partial",
          reason: "AWS Config throttled eu-central-1",
          resources: 4,
          skippedRegions: ["me-south-1"],
          completeRegions: ["eu-west-1", "eu-central-1"],
          startedAt: azureStarted,
          finishedAt: azureFinished,
        },
      ],
    };
    expect(await store.getScan(scan.id)).toEqual(expected);
    expect(await store.latestScan()).toEqual(expected);
  });

  it("answers null for an unknown scan and refuses to finish or extend one", async () => {
    const unknown = randomUUID();

    expect(await store.getScan(unknown)).toBeNull();
    expect(await store.getScan("not-a-scan-id")).toBeNull();
    await expect(store.finishScan(unknown, "complete", new Date())).rejects.toMatchObject({
      name: "StoreError",
      kind: "not-found",
      message: "Could not finish the scan: a record it names does not exist.",
    });
    await expect(
      store.recordAccountCollection(unknown, null, {
        provider: "aws",
        account: "111122223333",
        status: "failed",
        reason: "access denied",
        resources: 0,
        skippedRegions: [],
        completeRegions: [],
      }),
    ).rejects.toMatchObject({
      kind: "not-found",
      message: "Could not record an account's collection: a record it names does not exist.",
      cause: expect.anything(),
    });
  });

  it("keeps one row per resource and snapshots it only when its content changes", async () => {
    const subscription = `sub-${makeRunTag()}`;
    const alpha = makeStorageAccount(subscription, "alpha");
    const bravo = makeStorageAccount(subscription, "bravo");
    const first = await store.createScan({ trigger: "cli" });

    expect(await store.writeResources(first.id, [alpha, bravo])).toEqual({
      written: 2,
      changed: 2,
    });

    // Same content with its keys in another order: the canonical hash must not change.
    const alphaReordered = {
      ...alpha,
      raw: Object.fromEntries(Object.entries(alpha.raw).reverse()),
    };
    const bravoChanged = makeStorageAccount(subscription, "bravo", {
      properties: { minimumTlsVersion: "TLS1_0", allowSharedKeyAccess: true },
    });
    const second = await store.createScan({ trigger: "cli" });

    expect(
      await store.writeResources(second.id, [alphaReordered, bravoChanged, bravoChanged]),
    ).toEqual({ written: 2, changed: 1 });
    expect(await collectAll(store.streamResources({ scanId: second.id }))).toEqual([
      alpha,
      bravoChanged,
    ]);
    expect(await collectAll(store.streamResources({ scanId: first.id }))).toEqual([]);

    const alphaHistory = await store.listResourceSnapshots("azure", alpha.key);
    expect(alphaHistory).toHaveLength(1);
    expect(alphaHistory[0]).toMatchObject({ scanId: first.id, raw: alpha.raw });
    expect(alphaHistory[0]?.contentHash).toMatch(/^[0-9a-f]{64}$/);

    const bravoHistory = await store.listResourceSnapshots("azure", bravo.key);
    expect(bravoHistory.map((snapshot) => [snapshot.scanId, snapshot.raw])).toEqual([
      [first.id, bravo.raw],
      [second.id, bravoChanged.raw],
    ]);
    expect(bravoHistory[0]?.contentHash).not.toBe(bravoHistory[1]?.contentHash);
  });

  it("pages through 2,000 resources in batches of the requested size", async () => {
    const tag = makeRunTag();
    const written: CanonicalResource[] = [];
    for (let index = 0; index < 1_000; index++) {
      const serial = String(index).padStart(4, "0");
      written.push(makeStorageAccount(`sub-${tag}`, `sa${serial}`));
      written.push(makeBucket("123456789012", `bucket-${tag}-${serial}`, "eu-west-1"));
    }
    const scan = await store.createScan({ trigger: "cli" });
    await store.writeResources(scan.id, written);

    const pages = await collectPages(store.streamResources({ scanId: scan.id, batchSize: 300 }));

    expect(pages.map((page) => page.length)).toEqual([300, 300, 300, 300, 300, 300, 200]);
    const keys = pages.flat().map((resource) => `${resource.provider} ${resource.key}`);
    const expectedKeys = [
      ...written.filter((resource) => resource.provider === "azure"),
      ...written.filter((resource) => resource.provider === "aws"),
    ].map((resource) => `${resource.provider} ${resource.key}`);
    expect(keys).toEqual(expectedKeys);
  });

  it("marks resources a scan did not see as deleted and revives those that return", async () => {
    const account = String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
    const ireland = makeBucket(account, `logs-${account}`, "eu-west-1");
    const irelandGone = makeBucket(account, `data-${account}`, "eu-west-1");
    const virginia = makeBucket(account, `media-${account}`, "us-east-1");
    const readInventory = async () =>
      (await collectAll(store.streamResources()))
        .filter((resource) => resource.account === account)
        .map((resource) => resource.name)
        .sort();

    const first = await store.createScan({ trigger: "schedule" });
    await store.writeResources(first.id, [ireland, irelandGone, virginia]);
    const second = await store.createScan({ trigger: "schedule" });
    await store.writeResources(second.id, [ireland]);

    expect(
      await store.markUnseenResourcesDeleted(second.id, { provider: "aws", account, regions: [] }),
    ).toBe(0);
    // Only eu-west-1 was collected completely, so the us-east-1 bucket is not judged missing.
    expect(
      await store.markUnseenResourcesDeleted(second.id, {
        provider: "aws",
        account,
        regions: ["eu-west-1"],
      }),
    ).toBe(1);
    expect(await readInventory()).toEqual([`logs-${account}`, `media-${account}`]);

    const third = await store.createScan({ trigger: "schedule" });
    await store.writeResources(third.id, [irelandGone]);

    expect(await readInventory()).toEqual([
      `data-${account}`,
      `logs-${account}`,
      `media-${account}`,
    ]);
    expect(await store.markUnseenResourcesDeleted(third.id, { provider: "aws", account })).toBe(2);
    expect(await readInventory()).toEqual([`data-${account}`]);
  });

  it("returns findings exactly as written, ordered by tenant, control and resource", async () => {
    const scan = await store.createScan({ trigger: "cli" });
    const waived: Finding = {
      ...makeFinding("zeta", "kv-zeta"),
      status: "waived",
      waiver: {
        reason: "Vault is retired next quarter",
        approvedBy: "dpo@example.com",
        ticket: null,
        expires: "2027-03-31",
        verdict: "fail",
      },
    };
    const detailed: Finding = {
      ...makeFinding("Alpha", "kv-alpha"),
      evidence: [
        { path: "properties.enablePurgeProtection", actual: null, expected: true },
        { path: "properties.enableSoftDelete", expected: true },
        {
          path: "properties.networkAcls",
          actual: { defaultAction: "Allow", ipRules: [] },
          expected: ["Deny"],
        },
      ],
    };
    const stage: Finding = {
      control: "dataflow.stage-region",
      provider: null,
      account: null,
      tenant: "alpha",
      resource: "tenant/alpha/dataflow/retrieval",
      subjectKey: "tenant/alpha/dataflow/retrieval",
      type: null,
      region: null,
      status: "error",
      severity: "medium",
      message: "Stage retrieval selects no resource in the latest inventory.",
      evidence: [],
    };
    const unmapped = makeFinding(null, "kv-unmapped");
    const written = [waived, stage, unmapped, detailed, makeFinding("alpha", "kv-bravo")];

    await store.writeFindings(scan.id, written);
    const read = await collectAll(store.streamFindings(scan.id, 2));

    expect(read).toStrictEqual(sortFindings(written));
    expect(read.map((finding) => finding.tenant)).toEqual([
      null,
      "Alpha",
      "alpha",
      "alpha",
      "zeta",
    ]);
    const evidence = read[1]?.evidence ?? [];
    expect(evidence[0]).toHaveProperty("actual", null);
    expect(evidence[1]).not.toHaveProperty("actual");
    expect(read[4]?.waiver).toEqual(waived.waiver);
    expect(read[0]).not.toHaveProperty("waiver");
  });

  it("replaces a finding whose identity the scan already holds", async () => {
    const scan = await store.createScan({ trigger: "cli" });
    const failing = makeFinding(null, "kv-replaced");
    const passing: Finding = {
      ...failing,
      status: "pass",
      message: "Key vault kv-replaced has properties.enablePurgeProtection true.",
      evidence: [{ path: "properties.enablePurgeProtection", actual: true, expected: true }],
    };

    await store.writeFindings(scan.id, [failing]);
    await store.writeFindings(scan.id, [passing]);

    expect(await collectAll(store.streamFindings(scan.id))).toStrictEqual([passing]);
  });

  it("refuses two findings with one identity in a call and writes none of it", async () => {
    const scan = await store.createScan({ trigger: "cli" });
    const finding = makeFinding("tenant-a", "kv-twice");

    const failure = await store
      .writeFindings(scan.id, [makeFinding("tenant-a", "kv-once"), finding, finding])
      .catch((error) => error);

    expect(failure).toBeInstanceOf(StoreError);
    expect(failure).toMatchObject({
      kind: "conflict",
      message: "Could not write findings: the data conflicts with itself or with what is stored.",
    });
    expect(await collectAll(store.streamFindings(scan.id))).toEqual([]);
  });

  it("pages through a scan's findings in the same order whatever the page size", async () => {
    const scan = await store.createScan({ trigger: "schedule" });
    const written: Finding[] = [];
    for (let index = 0; index < 1_200; index++) {
      const tenant = ["tenant-c", "tenant-a", "tenant-b"][index % 3] ?? null;
      written.push(makeFinding(tenant, `kv-${String(index).padStart(4, "0")}`));
    }
    await store.writeFindings(scan.id, written);

    const pages = await collectPages(store.streamFindings(scan.id, 250));
    const single = await collectAll(store.streamFindings(scan.id, 5_000));

    expect(pages.map((page) => page.length)).toEqual([250, 250, 250, 250, 200]);
    expect(pages.flat()).toStrictEqual(single);
    expect(single).toStrictEqual(sortFindings(written));
  });

  it("writes 50,000 resources and streams them back", async () => {
    const tag = makeRunTag();
    const written = Array.from({ length: 50_000 }, (_, index) =>
      makeStorageAccount(`sub-${tag}`, `bulk${index}`, { sku: { name: "Standard_LRS" } }),
    );
    const scan = await store.createScan({ trigger: "schedule" });

    expect(await store.writeResources(scan.id, written)).toEqual({
      written: 50_000,
      changed: 50_000,
    });
    expect(await store.writeResources(scan.id, written)).toEqual({ written: 50_000, changed: 0 });

    let count = 0;
    let largestPage = 0;
    for await (const page of store.streamResources({ scanId: scan.id, batchSize: 1_000 })) {
      count += page.length;
      largestPage = Math.max(largestPage, page.length);
    }
    expect(count).toBe(50_000);
    expect(largestPage).toBe(1_000);
  }, 240_000);
});

describe("opening a store that cannot be reached", () => {
  it("reports a server that refuses the connection as a connection failure", async () => {
    const failure = await openStore({ url: "postgres://postgres@127.0.0.1:1/plumbline" }).catch(
      (error) => error,
    );

    expect(failure).toBeInstanceOf(StoreError);
    expect(failure).toMatchObject({
      kind: "connection",
      message:
        "Could not open the database: the database could not be reached " +
        "(connect ECONNREFUSED 127.0.0.1:1).",
    });
  });

  it("reports a database that does not exist as a connection failure", async () => {
    const url = new URL(postgresServerUrl);
    url.pathname = `/plumbline_store_missing_${makeRunTag()}`;

    const failure = await openStore({ url: url.toString() }).catch((error) => error);

    expect(failure).toMatchObject({ name: "StoreError", kind: "connection" });
    expect(failure.message).toContain(`database "${url.pathname.slice(1)}" does not exist`);
  });
});
