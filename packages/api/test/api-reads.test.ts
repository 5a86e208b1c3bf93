import { fileURLToPath } from "node:url";
import { tables } from "@plumbline/store";
import { queryDatabase } from "@plumbline/testing";
import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeResourceRef } from "../src/http/identifiers.js";
import { type ApiFixture, bearer, startApiFixture } from "./support/api-fixture.js";
import { NOW, RETAIL_AWS, RETAIL_AZURE, retailStorage } from "./support/seed.js";

let fixture: ApiFixture;
beforeAll(async () => {
  fixture = await startApiFixture("api_reads", {
    dashboardDir: fileURLToPath(new URL("./data/dashboard/", import.meta.url)),
  });
}, 60_000);
afterAll(async () => fixture?.close());

async function get(url: string) {
  const response = await fixture.app.inject({ url, headers: bearer(fixture.tokens.auditor) });
  expect(response.statusCode, `${url}: ${response.body.slice(0, 300)}`).toBe(200);
  return response.json();
}

type FindingItem = {
  id: string;
  tenant: string | null;
  control: string;
  severity: string;
  status: string;
  resourceRef: string | null;
};

describe("findings", () => {
  it("page through every finding once with an opaque keyset cursor, in every sort order", async () => {
    const all = (await get("/api/v1/findings?limit=500")).items as FindingItem[];
    expect(all).toHaveLength(9);
    expect(all.map((f) => f.severity).slice(0, 3)).toEqual(["critical", "critical", "critical"]);
    for (const sort of [
      "severity",
      "-severity",
      "statusSince",
      "-statusSince",
      "tenant",
      "control",
      "resource",
    ]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: FindingItem[]; nextCursor: string | null; total: number } = await get(
          `/api/v1/findings?limit=2&sort=${sort}${cursor === null ? "" : `&cursor=${cursor}`}`,
        );
        expect(page.total).toBe(9);
        seen.push(...page.items.map((f) => f.id));
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(seen, sort).toHaveLength(9);
      expect(new Set(seen).size, sort).toBe(9);
    }
    const newest = (await get("/api/v1/findings?sort=-statusSince&limit=1"))
      .items[0] as FindingItem;
    expect(newest.control).toBe("network.public-access-disabled");
    expect(newest.tenant).toBe("retail");
  });

  it("filter by tenant, control, area, status, severity, region, account, staleness and text", async () => {
    const ids = async (query: string) =>
      ((await get(`/api/v1/findings?${query}`)).items as FindingItem[])
        .map((f) => `${f.tenant}:${f.control}:${f.status}`)
        .sort();
    expect(await ids("tenant=wealth")).toEqual([
      "wealth:keys.vault-recoverable:fail",
      "wealth:network.public-access-disabled:waived",
    ]);
    expect(await ids("area=dataflow&status=fail")).toEqual(["retail:dataflow.stage-declared:fail"]);
    expect(await ids("severity=critical&status=fail")).toEqual([
      "null:tenancy.account-dedicated:fail",
      "wealth:keys.vault-recoverable:fail",
    ]);
    expect(await ids("region=us-east-1")).toEqual(["null:tenancy.account-dedicated:fail"]);
    expect(
      await ids(`account=${RETAIL_AZURE.toUpperCase()}&control=network.public-access-disabled`),
    ).toEqual(["retail:network.public-access-disabled:fail"]);
    expect(await ids("stale=true")).toHaveLength(2);
    expect(await ids("q=purge%20protection")).toEqual(["wealth:keys.vault-recoverable:fail"]);
    expect(await ids("q=100%25_")).toEqual([]);
    expect(await ids("provider=aws")).toHaveLength(2);
  });

  it("show one finding with its evidence, control metadata, raw document and history", async () => {
    const list = (
      await get("/api/v1/findings?tenant=retail&control=network.public-access-disabled")
    ).items as FindingItem[];
    const detail = await get(`/api/v1/findings/${list[0]?.id}`);
    expect(detail.finding).toMatchObject({
      tenant: "retail",
      status: "fail",
      evidence: [
        { path: "properties.publicNetworkAccess", actual: "Enabled", expected: "Disabled" },
      ],
    });
    expect(detail.control.id).toBe("network.public-access-disabled");
    expect(detail.control.remediation.azure.length).toBeGreaterThan(20);
    // An Azure resource's finding lists Azure Policy built-ins, never AWS Config rules.
    expect(detail.control.references.map((r: { kind: string }) => r.kind)).toEqual([
      "azure-policy",
      "azure-policy",
      "azure-policy",
      "azure-policy",
      "azure-policy",
    ]);
    expect(detail.control.frameworks.length).toBeGreaterThan(0);
    expect(detail.resource.raw.properties.publicNetworkAccess).toBe("Enabled");
    expect(detail.resource.resourceId).toBe(retailStorage("Enabled").id);
    expect(detail.history.map((event: { kind: string }) => event.kind)).toEqual(["opened"]);
    expect(detail.history[0]).toMatchObject({
      before: "pass",
      after: "fail",
      findingId: list[0]?.id,
    });

    const stage = (await get("/api/v1/findings?control=dataflow.stage-declared&status=fail"))
      .items[0] as FindingItem;
    const stageDetail = await get(`/api/v1/findings/${stage.id}`);
    expect(stageDetail.resource).toBeNull();
    expect(stage.resourceRef).toBeNull();
  });
  it("list only the references of the finding's own cloud, and the neutral ones", async () => {
    const referencesOf = async (query: string) => {
      const [item] = (await get(`/api/v1/findings?${query}`)).items as FindingItem[];
      return (await get(`/api/v1/findings/${item?.id}`)).control.references;
    };
    expect(await referencesOf("tenant=retail&control=dataflow.stage-region")).toEqual([
      { kind: "azure-policy", name: "Allowed locations" },
    ]);
    expect(await referencesOf("tenant=retail&control=keys.storage-cmk")).toEqual([
      { kind: "aws-config-rule", name: "s3-default-encryption-kms" },
    ]);
    // A data-flow stage belongs to no cloud: every reference applies.
    expect(await referencesOf("tenant=retail&control=dataflow.stage-declared")).toEqual([
      {
        kind: "documentation",
        title: "GDPR Article 30: records of processing activities",
        url: "https://gdpr-info.eu/art-30-gdpr/",
      },
    ]);
    const catalogue = (await get("/api/v1/controls")).items.find(
      (control: { id: string }) => control.id === "dataflow.stage-region",
    );
    expect(catalogue.references).toEqual([
      { kind: "azure-policy", name: "Allowed locations" },
      expect.objectContaining({ kind: "documentation", provider: "aws" }),
    ]);
  });
});

describe("resources", () => {
  it("list with owners, show the raw document and snapshots, and diff two snapshots", async () => {
    const list = await get(`/api/v1/resources?account=${RETAIL_AZURE}`);
    expect(list.items).toHaveLength(1);
    const resource = list.items[0];
    expect(resource).toMatchObject({
      owners: ["retail"],
      type: "Microsoft.Storage/storageAccounts",
    });
    const detail = await get(`/api/v1/resources/${resource.ref}`);
    expect(detail.resource.raw.properties.publicNetworkAccess).toBe("Enabled");
    expect(detail.snapshots).toHaveLength(2);
    expect(detail.findings.map((f: FindingItem) => f.control).sort()).toEqual([
      "dataflow.stage-region",
      "network.public-access-disabled",
    ]);
    const diff = await get(`/api/v1/resources/${resource.ref}/diff`);
    expect(diff.from.id).toBe(detail.snapshots[0].id);
    expect(diff.to.id).toBe(detail.snapshots[1].id);
    expect(diff.changes).toEqual([
      {
        path: "properties.publicNetworkAccess",
        kind: "changed",
        before: "Disabled",
        after: "Enabled",
      },
    ]);
    const reversed = await get(
      `/api/v1/resources/${resource.ref}/diff?from=${detail.snapshots[1].id}&to=${detail.snapshots[0].id}`,
    );
    expect(reversed.changes[0]).toMatchObject({ before: "Enabled", after: "Disabled" });
    const snapshot = await get(
      `/api/v1/resources/${resource.ref}/snapshots/${detail.snapshots[0].id}`,
    );
    expect(snapshot.raw.properties.publicNetworkAccess).toBe("Disabled");
    const unmapped = await get("/api/v1/resources?tenant=(unmapped)");
    expect(
      unmapped.items.map((r: { account: string; owners: string[] }) => [r.account, r.owners]),
    ).toEqual([["999988887777", []]]);
  });
});

describe("drift, posture, scans, waivers, data flow and channels", () => {
  it("list drift events newest first within a time range, one page at a time", async () => {
    const all = await get("/api/v1/drift?limit=2");
    expect(all.items).toHaveLength(2);
    const next = await get(`/api/v1/drift?limit=10&cursor=${all.nextCursor}`);
    expect(next.items).toHaveLength(3);
    const ids = [...all.items, ...next.items].map((event: { id: number }) => event.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect((await get("/api/v1/drift?to=2026-12-01T00:00:00Z")).items).toEqual([]);
    const opened = await get("/api/v1/drift?kind=opened&severity=critical");
    expect(opened.items.map((e: { tenant: string | null }) => e.tenant)).toEqual([null]);
  });

  it("give each drift event the route key of its stored resource, null when none is stored", async () => {
    const storageKey = retailStorage("Enabled").key;
    const goneKey = storageKey.replace("stretailprompts", "stretailgone");
    const [gone] = await fixture.store.database
      .insert(tables.driftEvents)
      .values({
        at: new Date(NOW.getTime() - 30 * 60_000),
        kind: "disappeared",
        tenant: "retail",
        control: null,
        subjectKey: goneKey,
        resource: goneKey,
        provider: "azure",
        account: RETAIL_AZURE,
        region: "westeurope",
        severity: null,
        before: null,
        after: null,
        scanId: null,
        batchId: "6f1d2c3b-0000-4000-8000-000000000002",
      })
      .returning({ id: tables.driftEvents.id });
    try {
      type DriftItem = {
        id: number;
        kind: string;
        account: string;
        tenant: string | null;
        findingId: string | null;
        resourceRef: string | null;
      };
      const items = (await get("/api/v1/drift?limit=50")).items as DriftItem[];
      const storageRef = encodeResourceRef({ provider: "azure", key: storageKey });
      const changed = items.find((e) => e.kind === "changed" && e.account === RETAIL_AZURE);
      expect(changed).toMatchObject({ findingId: null, resourceRef: storageRef });
      // The ref opens the resource page: its history and snapshot diff.
      const page = await get(`/api/v1/resources/${storageRef}`);
      expect(page.resource.name).toBe("stretailprompts");
      expect(page.snapshots).toHaveLength(2);
      const opened = items.find((e) => e.kind === "opened" && e.tenant === "retail");
      expect(opened?.findingId).not.toBeNull();
      expect(opened?.resourceRef).toBe(storageRef);
      expect(items.find((e) => e.id === gone?.id)).toMatchObject({
        kind: "disappeared",
        findingId: null,
        resourceRef: null,
      });
      const history = (await get(`/api/v1/findings/${opened?.findingId}`)).history;
      expect(history.map((e: DriftItem) => e.resourceRef)).toEqual([storageRef]);
    } finally {
      await fixture.store.database
        .delete(tables.driftEvents)
        .where(inArray(tables.driftEvents.id, gone === undefined ? [] : [gone.id]));
    }
  });

  it("count current verdicts per owner and area, with a daily trend", async () => {
    const posture = await get("/api/v1/posture?tenant=retail,wealth");
    const retail = posture.owners.find((o: { tenant: string }) => o.tenant === "retail");
    expect(retail.totals).toEqual({ pass: 3, fail: 2, error: 0, waived: 0, notApplicable: 0 });
    expect(retail.openBySeverity).toEqual({ critical: 0, high: 1, medium: 1, low: 0 });
    expect(retail.areas.map((a: { area: string }) => a.area)).toEqual([
      "dataflow",
      "keys",
      "network",
    ]);
    expect(retail.trend).toHaveLength(30);
    const points = retail.trend.filter((p: { counts: unknown }) => p.counts !== null);
    expect(points[0].date).toBe("2026-11-30");
    expect(points[0].counts.fail).toBe(1);
    expect(points.at(-1).counts.fail).toBe(2);
    const wealth = posture.owners.find((o: { tenant: string }) => o.tenant === "wealth");
    expect(wealth.stale).toBe(2);
    expect(posture.owners).toHaveLength(2);
  });

  it("show each scan with the collection status of its accounts", async () => {
    const scans = await get("/api/v1/scans");
    expect(scans.items.map((s: { id: string }) => s.id)).toEqual([
      fixture.scanIds.second,
      fixture.scanIds.first,
    ]);
    expect(scans.items[0]).toMatchObject({
      status: "complete",
      durationMs: 90_000,
      accounts: { complete: 4, partial: 1, failed: 0 },
      cloudCalls: { calls: 12, throttled: 1 },
    });
    const detail = await get(`/api/v1/scans/${fixture.scanIds.second}`);
    const partial = detail.accounts.find((a: { status: string }) => a.status === "partial");
    expect(partial).toMatchObject({ owner: "wealth", reason: "Resource Graph page 2 failed" });
    expect(detail.findings).toEqual({ pass: 3, fail: 4, error: 1, waived: 1, notApplicable: 0 });
    const tenants = await get("/api/v1/tenants");
    const wealth = tenants.items.find((t: { id: string }) => t.id === "wealth");
    expect(wealth.accounts.map((a: { status: string }) => a.status)).toEqual([
      "partial",
      "never-collected",
    ]);
  });

  it("name the account of each inventory scan and show the discovery as its own kind", async () => {
    const startedAt = new Date(NOW.getTime() - 30 * 60_000);
    const later = (seconds: number) => new Date(startedAt.getTime() + seconds * 1000);
    const store = fixture.store;
    const inventory = await store.createScan({ trigger: "schedule", kind: "inventory", startedAt });
    await store.recordAccountCollection(inventory.id, "retail", {
      provider: "aws",
      account: RETAIL_AWS,
      status: "complete",
      reason: null,
      resources: 1,
      skippedRegions: [],
      completeRegions: ["eu-west-1"],
    });
    await store.finishScan(inventory.id, "complete", later(20));
    const evaluation = await store.createScan({
      trigger: "schedule",
      kind: "evaluation",
      owner: "retail",
      startedAt: later(30),
    });
    await store.finishScan(evaluation.id, "complete", later(35));
    // The `discover` job records its evaluation of unmapped accounts without an owner.
    const discovery = await store.createScan({
      trigger: "schedule",
      kind: "evaluation",
      owner: null,
      startedAt: later(40),
    });
    await store.finishScan(discovery.id, "complete", later(42));
    try {
      type ScanItem = { id: string; kind: string; owner: string | null; account: unknown };
      const subjects = (items: ScanItem[]) =>
        items.map((scan) => [scan.id, scan.kind, scan.owner, scan.account]);
      const listed = (await get("/api/v1/scans?limit=3")).items as ScanItem[];
      expect(subjects(listed)).toEqual([
        [discovery.id, "discovery", null, null],
        [evaluation.id, "evaluation", "retail", null],
        [inventory.id, "inventory", null, { provider: "aws", account: RETAIL_AWS }],
      ]);
      expect((await get("/api/v1/scans?limit=3")).items[2].accounts).toEqual({
        complete: 1,
        partial: 0,
        failed: 0,
      });
      const ids = async (kind: string) =>
        ((await get(`/api/v1/scans?kind=${kind}`)).items as ScanItem[]).map((scan) => scan.id);
      expect(await ids("discovery")).toEqual([discovery.id]);
      expect(await ids("evaluation")).toEqual([evaluation.id]);
      expect(await ids("inventory")).toEqual([inventory.id]);
      const detail = await get(`/api/v1/scans/${inventory.id}`);
      expect(detail.scan.account).toEqual({ provider: "aws", account: RETAIL_AWS });
      expect((await get(`/api/v1/scans/${discovery.id}`)).scan.kind).toBe("discovery");
      // A token scoped to retail sees its account's inventory, and no discovery.
      const scoped = await fixture.app.inject({
        url: "/api/v1/scans?limit=3",
        headers: bearer(fixture.tokens.retail),
      });
      expect(subjects(scoped.json().items)).toEqual([
        [evaluation.id, "evaluation", "retail", null],
        [inventory.id, "inventory", null, { provider: "aws", account: RETAIL_AWS }],
        [fixture.scanIds.second, "full", null, null],
      ]);
    } finally {
      await store.database
        .delete(tables.scans)
        .where(inArray(tables.scans.id, [inventory.id, evaluation.id, discovery.id]));
    }
  });

  it("list waivers with days to expiry, and the findings each one waives", async () => {
    const waivers = (await get("/api/v1/waivers")).items;
    expect(
      waivers.map(
        (w: { control: string; daysToExpiry: number; state: string; findings: number }) => [
          w.control,
          w.daysToExpiry,
          w.state,
          w.findings,
        ],
      ),
    ).toEqual([
      ["network.public-access-disabled", 118, "active", 1],
      ["network.egress-firewall-logged", -3, "expired", 0],
    ]);
  });

  it("map the six data-flow stages of a tenant with resources, regions and findings", async () => {
    const map = await get("/api/v1/dataflow/retail");
    expect(map.stages.map((s: { stage: string }) => s.stage)).toEqual([
      "prompt-composition",
      "retrieval",
      "model-call",
      "response-logging",
      "tool-calls",
      "audit-trail",
    ]);
    const prompt = map.stages[0];
    expect(prompt.resources).toEqual([
      expect.objectContaining({
        name: "stretailprompts",
        region: "westeurope",
        regionApproved: true,
        verdict: "pass",
      }),
    ]);
    const audit = map.stages[5];
    expect(
      audit.resources.map((r: { name: string; regionApproved: boolean }) => [
        r.name,
        r.regionApproved,
      ]),
    ).toEqual([["retail-audit-logs", true]]);
    const tools = map.stages.find((s: { stage: string }) => s.stage === "tool-calls");
    expect(tools.status).toBe("fail");
    expect(tools.findings.map((f: { control: string }) => f.control)).toEqual([
      "dataflow.stage-declared",
    ]);
    const unknown = await fixture.app.inject({
      url: "/api/v1/dataflow/nobody",
      headers: bearer(fixture.tokens.auditor),
    });
    expect(unknown.statusCode).toBe(404);
  });

  it("show the broken Slack channel and its pending alert", async () => {
    expect((await get("/api/v1/notifications")).channels).toEqual([
      {
        channel: "slack",
        configured: true,
        state: "broken",
        reason: "Slack answered 404 no_service",
        changedAt: "2026-12-03T11:01:00.000Z",
        lastDeliveredAt: null,
        pending: 1,
        oldestPendingAt: "2026-12-03T11:01:00.000Z",
      },
    ]);
  });
});

describe("operations", () => {
  it("export scans, durations, cloud calls, throttles and findings as Prometheus metrics", async () => {
    await fixture.app.inject({ url: "/api/v1/me", headers: bearer(fixture.tokens.auditor) });
    const text = (await fixture.app.inject({ url: "/metrics" })).body;
    expect(text).toContain('plumbline_scans{kind="full",status="complete"} 2');
    expect(text).toContain('plumbline_scan_duration_seconds_total{kind="full"} 180');
    expect(text).toContain('plumbline_last_scan_duration_seconds{kind="full"} 90');
    expect(text).toContain('plumbline_cloud_calls_total{service="resource-graph"} 16');
    expect(text).toContain('plumbline_cloud_throttled_total{service="resource-graph"} 2');
    expect(text).toContain('plumbline_findings{status="fail",severity="critical"} 2');
    expect(text).toMatch(
      /plumbline_api_request_duration_seconds_count\{method="GET",route="\/api\/v1\/me",status="200"\} \d+/,
    );
  });

  it("reports not ready while a migration is missing", async () => {
    await queryDatabase(
      fixture.url,
      "alter table drizzle.__drizzle_migrations rename to moved_migrations",
    );
    try {
      const response = await fixture.app.inject({ url: "/readyz" });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({
        status: "not-ready",
        checks: { database: true, migrations: false },
      });
    } finally {
      await queryDatabase(
        fixture.url,
        "alter table drizzle.moved_migrations rename to __drizzle_migrations",
      );
    }
    expect((await fixture.app.inject({ url: "/readyz" })).statusCode).toBe(200);
  });

  it("serve the dashboard with its assets, and index.html for any page path outside /api", async () => {
    const index = await fixture.app.inject({ url: "/" });
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain("plumbline dashboard");
    const asset = await fixture.app.inject({ url: "/assets/app.js" });
    expect(asset.body).toContain('console.log("app")');
    const page = await fixture.app.inject({ url: "/findings/abc?tenant=retail" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toContain("text/html");
    const api = await fixture.app.inject({ url: "/api/nothing" });
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBe("not_found");
  });
});

describe("posture history", () => {
  it("carries the evaluation current when the 30-day window opens into the trend's first days", async () => {
    const startedAt = new Date("2026-10-20T08:00:00.000Z");
    const { id } = await fixture.store.createScan({ trigger: "test", startedAt });
    await fixture.store.writeFindings(id, [
      {
        control: "keys.storage-cmk",
        tenant: "retail",
        provider: "aws",
        account: "111122223333",
        resource: "arn:aws:s3:::retail-audit-logs",
        subjectKey: "arn:aws:s3:::retail-audit-logs",
        type: "AWS::S3::Bucket",
        region: "eu-west-1",
        status: "fail",
        severity: "high",
        message: "Bucket retail-audit-logs is encrypted with an AWS-owned key",
        evidence: [],
      },
    ]);
    await fixture.store.finishScan(id, "complete", new Date(startedAt.getTime() + 60_000));
    const posture = await get("/api/v1/posture?tenant=retail");
    const trend = posture.owners[0].trend as { date: string; counts: { fail: number } | null }[];
    expect(trend[0]).toEqual({
      date: "2026-11-04",
      counts: { pass: 0, fail: 1, error: 0, waived: 0, notApplicable: 0 },
    });
    expect(trend.find((point) => point.date === "2026-11-29")?.counts?.fail).toBe(1);
    expect(trend.find((point) => point.date === "2026-11-30")?.counts?.fail).toBe(1);
    expect(trend.at(-1)?.counts?.fail).toBe(2);
  });
});
