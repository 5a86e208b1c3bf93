import { tables } from "@plumbline/store";
import { and, eq } from "drizzle-orm";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeResourceRef } from "../src/http/identifiers.js";
import { createApi } from "../src/index.js";
import { type ApiFixture, bearer, startApiFixture } from "./support/api-fixture.js";
import { NOW, OUTSIDE_RETAIL, RETAIL_AWS, RETAIL_AZURE, WEALTH_AZURE } from "./support/seed.js";

let fixture: ApiFixture;
beforeAll(async () => {
  fixture = await startApiFixture("api_scope");
}, 60_000);
afterAll(async () => fixture?.close());

const RETAIL_ACCOUNTS = new Set([RETAIL_AZURE, RETAIL_AWS]);

async function get(url: string, secret: string) {
  return fixture.app.inject({ url, headers: bearer(secret) });
}

/** Every value under a key with this name, anywhere in a JSON document. */
function valuesOf(document: unknown, key: string): unknown[] {
  if (Array.isArray(document)) return document.flatMap((item) => valuesOf(item, key));
  if (typeof document !== "object" || document === null) return [];
  return Object.entries(document).flatMap(([name, value]) => [
    ...(name === key ? [value] : []),
    ...valuesOf(value, key),
  ]);
}

/** Asserts that a response body holds nothing of an owner other than retail. */
function expectOnlyRetail(url: string, body: string, json: unknown | undefined): void {
  for (const outside of OUTSIDE_RETAIL) {
    expect(body.toLowerCase(), `${url} shows ${outside}`).not.toContain(outside.toLowerCase());
  }
  if (json === undefined) return;
  for (const tenant of [...valuesOf(json, "tenant"), ...valuesOf(json, "tenant_uid")]) {
    expect(tenant, `${url} tenant`).toBe("retail");
  }
  for (const owner of valuesOf(json, "owner")) {
    // A full scan has no owner (null); a string owner must be retail.
    if (typeof owner === "string") expect(owner, `${url} owner`).toBe("retail");
  }
  for (const owners of valuesOf(json, "owners")) {
    const names = (owners as unknown[]).filter((owner) => typeof owner === "string");
    expect(names, `${url} owners`).toEqual(names.length === 0 ? [] : ["retail"]);
  }
  for (const account of valuesOf(json, "account")) {
    if (typeof account === "string") expect(RETAIL_ACCOUNTS, `${url} account`).toContain(account);
  }
}

describe("a token scoped to retail", () => {
  it("gets only retail rows from every list, detail and export route", async () => {
    const admin = fixture.tokens.admin;
    const retail = fixture.tokens.retail;
    const all = (await get("/api/v1/findings?limit=500", admin)).json().items as {
      id: string;
      tenant: string | null;
      resourceRef: string | null;
    }[];
    const retailFinding = all.find((f) => f.tenant === "retail" && f.resourceRef !== null);
    const otherFindings = all.filter((f) => f.tenant !== "retail");
    const resources = (await get("/api/v1/resources?limit=500", admin)).json().items as {
      ref: string;
      account: string;
    }[];
    const retailResource = resources.find((r) => r.account === RETAIL_AZURE);
    const otherResources = resources.filter((r) => !RETAIL_ACCOUNTS.has(r.account));
    const detail = (await get(`/api/v1/resources/${retailResource?.ref}`, admin)).json();
    const snapshotId = detail.snapshots[0].id as number;
    expect(retailFinding).toBeDefined();
    expect(otherFindings.map((f) => f.tenant).sort()).toEqual([
      null,
      "platform",
      "wealth",
      "wealth",
    ]);
    expect(otherResources).toHaveLength(4);

    // One entry per GET route of the API document: the URLs to call and the status expected.
    const plan: Record<string, { url: string; status: number }[]> = {
      "/api/v1/me": [{ url: "/api/v1/me", status: 200 }],
      "/api/v1/tenants": [{ url: "/api/v1/tenants", status: 200 }],
      "/api/v1/posture": [{ url: "/api/v1/posture", status: 200 }],
      "/api/v1/findings": [
        { url: "/api/v1/findings?limit=500", status: 200 },
        { url: "/api/v1/findings?tenant=wealth,platform,(unmapped)", status: 200 },
        { url: "/api/v1/findings?account=444455556666&sort=-statusSince", status: 200 },
      ],
      "/api/v1/findings/{id}": [
        { url: `/api/v1/findings/${retailFinding?.id}`, status: 200 },
        ...otherFindings.map((f) => ({ url: `/api/v1/findings/${f.id}`, status: 404 })),
      ],
      "/api/v1/resources": [
        { url: "/api/v1/resources?limit=500&deleted=include", status: 200 },
        { url: "/api/v1/resources?tenant=wealth,(unmapped)", status: 200 },
      ],
      "/api/v1/resources/{ref}": [
        { url: `/api/v1/resources/${retailResource?.ref}`, status: 200 },
        ...otherResources.map((r) => ({ url: `/api/v1/resources/${r.ref}`, status: 404 })),
      ],
      "/api/v1/resources/{ref}/snapshots/{snapshotId}": [
        { url: `/api/v1/resources/${retailResource?.ref}/snapshots/${snapshotId}`, status: 200 },
        ...otherResources.map((r) => ({
          url: `/api/v1/resources/${r.ref}/snapshots/1`,
          status: 404,
        })),
      ],
      "/api/v1/resources/{ref}/diff": [
        { url: `/api/v1/resources/${retailResource?.ref}/diff`, status: 200 },
        ...otherResources.map((r) => ({ url: `/api/v1/resources/${r.ref}/diff`, status: 404 })),
      ],
      "/api/v1/drift": [
        { url: "/api/v1/drift?limit=500", status: 200 },
        { url: "/api/v1/drift?tenant=wealth,(unmapped)", status: 200 },
      ],
      "/api/v1/controls": [{ url: "/api/v1/controls", status: 200 }],
      "/api/v1/controls/{id}": [{ url: "/api/v1/controls/keys.vault-recoverable", status: 200 }],
      "/api/v1/waivers": [{ url: "/api/v1/waivers", status: 200 }],
      "/api/v1/scans": [{ url: "/api/v1/scans", status: 200 }],
      "/api/v1/scans/{id}": [
        { url: `/api/v1/scans/${fixture.scanIds.first}`, status: 200 },
        { url: `/api/v1/scans/${fixture.scanIds.second}`, status: 200 },
      ],
      "/api/v1/dataflow/{tenant}": [
        { url: "/api/v1/dataflow/retail", status: 200 },
        { url: "/api/v1/dataflow/wealth", status: 403 },
      ],
      "/api/v1/notifications": [{ url: "/api/v1/notifications", status: 200 }],
      "/api/v1/exports/{format}": ["csv", "json", "sarif", "ocsf"].map((format) => ({
        url: `/api/v1/exports/${format}`,
        status: 200,
      })),
      "/api/v1/tokens": [{ url: "/api/v1/tokens", status: 403 }],
      "/api/v1/access-log": [{ url: "/api/v1/access-log", status: 403 }],
    };
    const document = (await get("/api/docs", admin)).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(document.paths)
      .filter(([path, operations]) => path.startsWith("/api/v1") && "get" in operations)
      .map(([path]) => path)
      .sort();
    expect(Object.keys(plan).sort()).toEqual(documented);

    for (const calls of Object.values(plan)) {
      for (const { url, status } of calls) {
        const response = await get(url, retail);
        expect(response.statusCode, url).toBe(status);
        const isJson = String(response.headers["content-type"]).includes("json");
        expectOnlyRetail(url, response.body, isJson ? response.json() : undefined);
      }
    }
  });

  it("still sees all of retail: its findings, resources, events, scans and exports", async () => {
    const retail = fixture.tokens.retail;
    const findings = (await get("/api/v1/findings", retail)).json();
    expect(findings.total).toBe(5);
    expect(findings.items).toHaveLength(5);
    const filteredAway = (await get("/api/v1/findings?tenant=wealth", retail)).json();
    expect(filteredAway).toEqual({ items: [], nextCursor: null, total: 0 });
    expect(
      (await get("/api/v1/tenants", retail)).json().items.map((t: { id: string }) => t.id),
    ).toEqual(["retail"]);
    const posture = (await get("/api/v1/posture", retail)).json();
    expect(posture.owners.map((o: { tenant: string }) => o.tenant)).toEqual(["retail"]);
    expect(posture.owners[0].totals).toEqual({
      pass: 3,
      fail: 2,
      error: 0,
      waived: 0,
      notApplicable: 0,
    });
    expect((await get("/api/v1/resources", retail)).json().items).toHaveLength(2);
    expect(
      (await get("/api/v1/drift", retail))
        .json()
        .items.map((e: { kind: string }) => e.kind)
        .sort(),
    ).toEqual(["changed", "opened"]);
    expect((await get("/api/v1/waivers", retail)).json().items).toEqual([]);
    const scan = (await get(`/api/v1/scans/${fixture.scanIds.second}`, retail)).json();
    expect(scan.accounts.map((a: { account: string }) => a.account).sort()).toEqual(
      [RETAIL_AZURE, RETAIL_AWS].sort(),
    );
    expect(scan.findings).toEqual({ pass: 3, fail: 2, error: 0, waived: 0, notApplicable: 0 });
    const csv = (await get("/api/v1/exports/csv", retail)).body.trim().split("\r\n");
    expect(csv).toHaveLength(6);
    expect(JSON.parse((await get("/api/v1/exports/json", retail)).body)).toHaveLength(5);
  });
});

describe("a token scoped to wealth and the platform", () => {
  it("sees platform findings and wealth findings, and neither retail nor unmapped ones", async () => {
    const secret = fixture.tokens.wealthAndPlatform;
    const tenants = (await get("/api/v1/findings", secret))
      .json()
      .items.map((f: { tenant: string }) => f.tenant);
    expect(tenants.sort()).toEqual(["platform", "wealth", "wealth"]);
    const exported = JSON.parse((await get("/api/v1/exports/json", secret)).body) as {
      tenant: string;
    }[];
    expect(exported.map((f) => f.tenant).sort()).toEqual(["platform", "wealth", "wealth"]);
    const drift = (await get("/api/v1/drift", secret)).json().items as {
      kind: string;
      account: string;
    }[];
    expect(drift.map((e) => `${e.kind} ${e.account}`).sort()).toEqual([
      "changed 00000000-0000-0000-0000-00000000a002",
      "waived 00000000-0000-0000-0000-00000000a002",
    ]);
    expect((await get("/api/v1/dataflow/retail", secret)).statusCode).toBe(403);
  });
});

describe("resource refs of drift events", () => {
  it("never lead a scoped token to another owner's resource, even from its own finding", async () => {
    const db = fixture.store.database;
    const de = tables.driftEvents;
    const [vault] = await db
      .select({ key: de.subjectKey, resource: de.resource })
      .from(de)
      .where(and(eq(de.account, WEALTH_AZURE), eq(de.kind, "changed")));
    if (vault === undefined) throw new Error("the seed has no event in the wealth subscription");
    // A retail data-flow stage that reaches into wealth's subscription records retail's finding
    // about wealth's resource: retail sees the event, but not the resource behind it.
    const [crossing] = await db
      .insert(de)
      .values({
        at: new Date(NOW.getTime() - 10 * 60_000),
        kind: "opened",
        tenant: "retail",
        control: "dataflow.stage-region",
        subjectKey: vault.key,
        resource: vault.resource,
        provider: "azure",
        account: WEALTH_AZURE,
        region: "westeurope",
        severity: "critical",
        before: null,
        after: "fail",
        scanId: null,
        batchId: "6f1d2c3b-0000-4000-8000-000000000003",
      })
      .returning({ id: de.id });
    try {
      type DriftItem = { id: number; kind: string; account: string; resourceRef: string | null };
      const drift = async (secret: string) =>
        (await get("/api/v1/drift?limit=100", secret)).json().items as DriftItem[];

      const retail = await drift(fixture.tokens.retail);
      expect(retail.find((event) => event.id === crossing?.id)?.resourceRef).toBeNull();
      const retailRefs = retail.flatMap((event) =>
        event.resourceRef === null ? [] : [decodeResourceRef(event.resourceRef)],
      );
      expect(retailRefs.length).toBeGreaterThan(0);
      for (const identity of retailRefs) expect(identity?.key).toContain(RETAIL_AZURE);

      const wealth = await drift(fixture.tokens.wealthAndPlatform);
      const changed = wealth.find((event) => event.kind === "changed");
      expect(decodeResourceRef(changed?.resourceRef ?? "")).toEqual({
        provider: "azure",
        key: vault.key,
      });
      const everyone = await drift(fixture.tokens.auditor);
      expect(everyone.find((event) => event.id === crossing?.id)?.resourceRef).toBe(
        changed?.resourceRef,
      );
    } finally {
      if (crossing !== undefined) await db.delete(de).where(eq(de.id, crossing.id));
    }
  });
});

describe("an all-owner auditor", () => {
  it("sees the unmapped account's findings, and only through the (unmapped) filter when asked", async () => {
    const secret = fixture.tokens.auditor;
    expect((await get("/api/v1/findings", secret)).json().total).toBe(9);
    const unmapped = (await get("/api/v1/findings?tenant=(unmapped)", secret)).json();
    expect(
      unmapped.items.map((f: { control: string; tenant: null }) => [f.tenant, f.control]),
    ).toEqual([[null, "tenancy.account-dedicated"]]);
  });
});

describe("a data-flow map that reaches into another owner's accounts", () => {
  it("hides what the other owner's resources are from a scoped token", async () => {
    const policy = structuredClone(fixture.policy);
    const retail = policy.tenants.find((tenant) => tenant.id === "retail");
    if (retail === undefined) throw new Error("the example policy has no retail tenant");
    retail.dataflow["audit-trail"] = { resources: ["*kv-wealth*"], tags: {} };
    const app = await createApi({
      store: fixture.store,
      policy,
      logger: pino({ level: "silent" }),
      clock: () => NOW,
    });
    try {
      const map = async (secret: string) => {
        const response = await app.inject({
          url: "/api/v1/dataflow/retail",
          headers: bearer(secret),
        });
        const stages = response.json().stages as { stage: string; resources: unknown[] }[];
        return stages.find((stage) => stage.stage === "audit-trail")?.resources;
      };

      const scoped = await map(fixture.tokens.retail);
      expect(scoped).toEqual([
        expect.objectContaining({ hidden: true, name: "", resourceId: "", key: "", account: "" }),
      ]);
      expect(JSON.stringify(scoped)).not.toContain("wealth");
      const everyone = await map(fixture.tokens.auditor);
      expect(everyone).toEqual([expect.objectContaining({ hidden: false, name: "kv-wealth" })]);
    } finally {
      await app.close();
    }
  });
});
