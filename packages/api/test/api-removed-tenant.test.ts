import { queryDatabase } from "@plumbline/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiInstance, createApi } from "../src/index.js";
import { type ApiFixture, bearer, startApiFixture } from "./support/api-fixture.js";
import { NOW } from "./support/seed.js";

interface FindingItem {
  id: string;
  tenant: string | null;
  resourceRef: string | null;
}

let fixture: ApiFixture;
/** The same store served with a policy from which the tenant `wealth` has been removed. */
let withoutWealth: ApiInstance;
/** Wealth's current findings as the API served them while wealth was in the policy. */
let wealthFindings: FindingItem[];

async function get(app: ApiInstance, url: string, secret = fixture.tokens.admin) {
  const response = await app.inject({ url, headers: bearer(secret) });
  expect(response.statusCode, `${url}: ${response.body}`).toBe(200);
  return response;
}

beforeAll(async () => {
  fixture = await startApiFixture("api_removed_tenant");
  const all = (await get(fixture.app, "/api/v1/findings?limit=500")).json().items as FindingItem[];
  wealthFindings = all.filter((finding) => finding.tenant === "wealth");
  withoutWealth = await createApi({
    store: fixture.store,
    policy: {
      ...fixture.policy,
      tenants: fixture.policy.tenants.filter((tenant) => tenant.id !== "wealth"),
    },
    logger: pino({ level: "silent" }),
    clock: () => NOW,
  });
  await withoutWealth.ready();
}, 60_000);
afterAll(async () => {
  await withoutWealth?.close();
  await fixture?.close();
});

describe("a tenant removed from the policy", () => {
  it("had current findings while the policy named it", () => {
    expect(wealthFindings.length).toBe(2);
  });

  it("is not listed among the tenants", async () => {
    const tenants = (await get(withoutWealth, "/api/v1/tenants")).json().items as { id: string }[];
    expect(tenants.map((tenant) => tenant.id)).toEqual(["platform", "retail"]);
  });

  it("has none of its old findings served as current, in the list, a filter or by id", async () => {
    const before = (await get(fixture.app, "/api/v1/findings?limit=500")).json();
    const after = (await get(withoutWealth, "/api/v1/findings?limit=500")).json();
    expect(after.total).toBe(before.total - 2);
    expect(after.items).toHaveLength(after.total);
    expect(new Set((after.items as FindingItem[]).map((finding) => finding.tenant))).toEqual(
      new Set(["retail", "platform", null]),
    );
    const filtered = (await get(withoutWealth, "/api/v1/findings?tenant=wealth")).json();
    expect(filtered).toEqual({ items: [], nextCursor: null, total: 0 });
    for (const finding of wealthFindings) {
      const response = await withoutWealth.inject({
        url: `/api/v1/findings/${finding.id}`,
        headers: bearer(fixture.tokens.admin),
      });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe("not_found");
    }
  });

  it("has none of its old findings in any export", async () => {
    const json = (await get(withoutWealth, "/api/v1/exports/json")).json() as FindingItem[];
    expect(json).toHaveLength(7);
    expect(json.some((finding) => finding.tenant === "wealth")).toBe(false);
    const csv = (await get(withoutWealth, "/api/v1/exports/csv")).body;
    expect(csv.trim().split("\r\n")).toHaveLength(8);
    expect(csv).not.toContain("kv-wealth");
    expect(csv).not.toContain("srch-wealth");
    for (const format of ["sarif", "ocsf"]) {
      const body = (await get(withoutWealth, `/api/v1/exports/${format}`)).body;
      expect(body, format).not.toContain("kv-wealth");
      expect(body, format).not.toContain("srch-wealth");
    }
  });

  it("is left out of the posture summary, the waiver counts and the finding metrics", async () => {
    const posture = (await get(withoutWealth, "/api/v1/posture")).json() as {
      owners: { tenant: string | null; totals: { fail: number; waived: number } }[];
    };
    expect(new Set(posture.owners.map((owner) => owner.tenant))).toEqual(
      new Set(["platform", "retail", null]),
    );
    expect(posture.owners.reduce((sum, owner) => sum + owner.totals.waived, 0)).toBe(0);

    const waivers = (await get(withoutWealth, "/api/v1/waivers")).json().items as {
      control: string;
      owners: string[];
      findings: number;
    }[];
    const search = waivers.find((waiver) => waiver.control === "network.public-access-disabled");
    expect(search).toMatchObject({ owners: [], findings: 0 });

    const before = (await fixture.app.inject({ url: "/metrics" })).body;
    expect(before).toContain('plumbline_findings{status="fail",severity="critical"} 2');
    expect(before).toContain('plumbline_findings{status="waived",severity="high"} 1');
    const after = (await withoutWealth.inject({ url: "/metrics" })).body;
    expect(after).toContain('plumbline_findings{status="fail",severity="critical"} 1');
    expect(after).not.toContain('plumbline_findings{status="waived"');
  });

  it("shows its resources without findings, and none to a token scoped to it", async () => {
    const vault = wealthFindings.find((finding) => finding.resourceRef !== null);
    const resource = (await get(withoutWealth, `/api/v1/resources/${vault?.resourceRef}`)).json();
    expect(resource.resource.name).toMatch(/wealth/);
    expect(resource.findings).toEqual([]);

    const scoped = fixture.tokens.wealthAndPlatform;
    const findings = (await get(withoutWealth, "/api/v1/findings?limit=500", scoped)).json();
    expect(new Set((findings.items as FindingItem[]).map((finding) => finding.tenant))).toEqual(
      new Set(["platform"]),
    );
    const posture = (await get(withoutWealth, "/api/v1/posture", scoped)).json();
    expect(posture.owners.map((owner: { tenant: string }) => owner.tenant)).toEqual(["platform"]);
  });

  it("keeps its rows stored, so that putting it back in the policy shows them again", async () => {
    const rows = await queryDatabase<{ total: number }>(
      fixture.url,
      "select count(*)::int as total from finding_state where tenant = 'wealth'",
    );
    expect(rows).toEqual([{ total: 2 }]);
    const restored = (await get(fixture.app, "/api/v1/findings?tenant=wealth")).json();
    expect(restored.total).toBe(2);
  });
});
