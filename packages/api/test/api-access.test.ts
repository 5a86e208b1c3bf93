import { tables } from "@plumbline/store";
import { queryDatabase } from "@plumbline/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTokenSecret, hashTokenSecret } from "../src/auth/token-secret.js";
import { type ApiInstance, createApi } from "../src/index.js";
import { type ApiFixture, bearer, startApiFixture } from "./support/api-fixture.js";
import { NOW } from "./support/seed.js";

let fixture: ApiFixture;
const triggered: unknown[] = [];

beforeAll(async () => {
  fixture = await startApiFixture("api_access", {
    triggerScan: async (request) => {
      triggered.push(request);
      return { jobIds: ["inventory:azure:1", "inventory:aws:2"] };
    },
  });
}, 60_000);
afterAll(async () => fixture?.close());

interface Operation {
  method: "POST" | "DELETE" | "GET" | "PUT" | "PATCH";
  url: string;
  body?: unknown;
}

/** Every operation the OpenAPI document lists, with path parameters filled in. */
async function documentedOperations(): Promise<Operation[]> {
  const document = (await fixture.app.inject({ method: "GET", url: "/api/docs" })).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => ({
      method: method.toUpperCase() as Operation["method"],
      url: path.replace("{id}", "6f1d2c3b-0000-4000-8000-0000000000aa").replace(/\{\w+\}/g, "x"),
    })),
  );
}

describe("write access", () => {
  it("refuses an auditor token on every mutating route with 403, before reading the body", async () => {
    const mutating = (await documentedOperations()).filter((op) => op.method !== "GET");
    expect(mutating.map((op) => `${op.method} ${op.url}`).sort()).toEqual([
      "DELETE /api/v1/tokens/6f1d2c3b-0000-4000-8000-0000000000aa",
      "POST /api/v1/notifications/x/reset",
      "POST /api/v1/scans",
      "POST /api/v1/tokens",
    ]);
    for (const op of mutating) {
      for (const secret of [fixture.tokens.auditor, fixture.tokens.retail]) {
        const response = await fixture.app.inject({
          method: op.method,
          url: op.url,
          headers: bearer(secret),
          payload: { name: "x", role: "admin", scope: null },
        });
        expect(response.statusCode, `${op.method} ${op.url}`).toBe(403);
        expect(response.json()).toEqual({
          error: { code: "forbidden", message: "this action needs an admin token" },
        });
      }
    }
    expect(triggered).toEqual([]);
  });

  it("refuses an auditor the admin reads: tokens and the access log", async () => {
    for (const url of ["/api/v1/tokens", "/api/v1/access-log"]) {
      const response = await fixture.app.inject({ url, headers: bearer(fixture.tokens.auditor) });
      expect(response.statusCode).toBe(403);
    }
  });

  it("lets an admin create a scoped token that works once and stops after revocation", async () => {
    const created = await fixture.app.inject({
      method: "POST",
      url: "/api/v1/tokens",
      headers: bearer(fixture.tokens.admin),
      payload: {
        name: "dpo retail",
        role: "auditor",
        scope: ["retail"],
        expiresAt: "2027-01-01T00:00:00Z",
      },
    });
    expect(created.statusCode).toBe(201);
    const body = created.json() as {
      id: string;
      token: string;
      scope: string[];
      expiresAt: string;
    };
    expect(body.token).toMatch(/^plb_[A-Za-z0-9_-]{43}$/);
    expect(body.scope).toEqual(["retail"]);
    expect(body.expiresAt).toBe("2027-01-01T00:00:00.000Z");

    const stored = await queryDatabase(
      fixture.url,
      "select token_hash from api_tokens where id = $1",
      [body.id],
    );
    expect(stored[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(body.token);
    const listed = await fixture.app.inject({
      url: "/api/v1/tokens",
      headers: bearer(fixture.tokens.admin),
    });
    expect(listed.body).not.toContain(body.token);
    expect(listed.body).not.toContain(stored[0]?.token_hash);

    const me = await fixture.app.inject({ url: "/api/v1/me", headers: bearer(body.token) });
    expect(me.json()).toMatchObject({ tokenId: body.id, role: "auditor", scope: ["retail"] });

    const revoked = await fixture.app.inject({
      method: "DELETE",
      url: `/api/v1/tokens/${body.id}`,
      headers: bearer(fixture.tokens.admin),
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ id: body.id, revokedAt: NOW.toISOString() });
    const after = await fixture.app.inject({ url: "/api/v1/me", headers: bearer(body.token) });
    expect(after.statusCode).toBe(401);
  });

  it("refuses a token scope that names no tenant of the policy", async () => {
    const response = await fixture.app.inject({
      method: "POST",
      url: "/api/v1/tokens",
      headers: bearer(fixture.tokens.admin),
      payload: { name: "typo", role: "auditor", scope: ["retial"] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe("bad_request");
    expect(response.json().error.message).toContain('"retial"');
  });

  it("queues a scan for an admin through the injected trigger", async () => {
    const response = await fixture.app.inject({
      method: "POST",
      url: "/api/v1/scans",
      headers: bearer(fixture.tokens.admin),
      payload: { accounts: ["111122223333"] },
    });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ jobIds: ["inventory:azure:1", "inventory:aws:2"] });
    expect(triggered).toEqual([
      { accounts: ["111122223333"], requestedBy: expect.stringContaining("admin all") },
    ]);
  });
});

describe("admin scope", () => {
  it("refuses to create an admin token limited to some owners", async () => {
    const response = await fixture.app.inject({
      method: "POST",
      url: "/api/v1/tokens",
      headers: bearer(fixture.tokens.admin),
      payload: { name: "retail admin", role: "admin", scope: ["retail"] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain("an admin token sees every owner");
  });

  it("keeps a scoped admin token made outside the API off every admin route", async () => {
    const triggeredBefore = triggered.length;
    const secret = generateTokenSecret();
    await fixture.store.database.insert(tables.apiTokens).values({
      name: "legacy retail admin",
      tokenHash: hashTokenSecret(secret),
      role: "admin",
      scope: ["retail"],
      createdAt: NOW,
    });
    for (const [method, url] of [
      ["POST", "/api/v1/tokens"],
      ["GET", "/api/v1/tokens"],
      ["GET", "/api/v1/access-log"],
      ["POST", "/api/v1/scans"],
    ] as const) {
      const response = await fixture.app.inject({
        method,
        url,
        headers: bearer(secret),
        payload: { name: "x", role: "admin", scope: null },
      });
      expect(response.statusCode, `${method} ${url}`).toBe(403);
      expect(response.json().error.message).toBe(
        "this action needs an admin token that sees every owner",
      );
    }
    expect(triggered).toHaveLength(triggeredBefore);
  });
});

describe("alert channels", () => {
  it("lets an admin mark the broken Slack channel usable again, and only a known channel", async () => {
    const reset = await fixture.app.inject({
      method: "POST",
      url: "/api/v1/notifications/slack/reset",
      headers: bearer(fixture.tokens.admin),
    });
    expect(reset.statusCode).toBe(200);
    expect(reset.json()).toMatchObject({ channel: "slack", state: "ok", reason: null, pending: 1 });
    const listed = await fixture.app.inject({
      url: "/api/v1/notifications",
      headers: bearer(fixture.tokens.auditor),
    });
    expect(listed.json().channels[0]).toMatchObject({ channel: "slack", state: "ok" });
    const unknown = await fixture.app.inject({
      method: "POST",
      url: "/api/v1/notifications/teams/reset",
      headers: bearer(fixture.tokens.admin),
    });
    expect(unknown.statusCode).toBe(404);
  });

  it("shows Slack as not-configured, saying why, when the policy or the server lacks its webhook", async () => {
    const withoutVariable = await createApi({
      store: fixture.store,
      policy: fixture.policy,
      logger: pino({ level: "silent" }),
      clock: () => NOW,
    });
    const withoutSlack = await createApi({
      store: fixture.store,
      policy: {
        ...fixture.policy,
        notifications: { ...fixture.policy.notifications, slack: null },
      },
      logger: pino({ level: "silent" }),
      clock: () => NOW,
      channelsWithWebhook: ["slack"],
    });
    try {
      const cases: Array<[ApiInstance, string]> = [
        [withoutVariable, "SLACK_WEBHOOK_URL is not set in the server's environment"],
        [withoutSlack, "the policy has no notifications.slack"],
      ];
      for (const [app, reason] of cases) {
        const listed = await app.inject({
          url: "/api/v1/notifications",
          headers: bearer(fixture.tokens.auditor),
        });
        expect(listed.json().channels, reason).toEqual([
          {
            channel: "slack",
            configured: false,
            state: "not-configured",
            reason,
            changedAt: expect.any(String),
            lastDeliveredAt: null,
            pending: 1,
            oldestPendingAt: "2026-12-03T11:01:00.000Z",
          },
        ]);
        // A channel the list shows can be reset; it stays unusable until it is configured.
        const reset = await app.inject({
          method: "POST",
          url: "/api/v1/notifications/slack/reset",
          headers: bearer(fixture.tokens.admin),
        });
        expect(reset.statusCode, reason).toBe(200);
        expect(reset.json(), reason).toMatchObject({ state: "not-configured", reason });
      }
    } finally {
      await withoutVariable.close();
      await withoutSlack.close();
    }
  });

  it("resets a channel with no stored state yet as a no-op that answers its state", async () => {
    await queryDatabase(fixture.url, "delete from notification_channels");
    const expected = {
      channel: "slack",
      configured: true,
      state: "ok",
      reason: null,
      changedAt: null,
      lastDeliveredAt: null,
      pending: 1,
      oldestPendingAt: "2026-12-03T11:01:00.000Z",
    };

    const listed = await fixture.app.inject({
      url: "/api/v1/notifications",
      headers: bearer(fixture.tokens.auditor),
    });
    const reset = await fixture.app.inject({
      method: "POST",
      url: "/api/v1/notifications/slack/reset",
      headers: bearer(fixture.tokens.admin),
    });

    expect(listed.json().channels).toEqual([expected]);
    expect(reset.statusCode).toBe(200);
    expect(reset.json()).toEqual(expected);
    expect(await queryDatabase(fixture.url, "select channel from notification_channels")).toEqual(
      [],
    );
  });
});

describe("authentication", () => {
  it("answers 401 to a missing, unknown, expired or revoked token", async () => {
    const cases: Record<string, Record<string, string>> = {
      missing: {},
      malformed: { authorization: "Basic YWRtaW46YWRtaW4=" },
      unknown: bearer("plb_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
      expired: bearer(fixture.tokens.expired),
      revoked: bearer(fixture.tokens.revoked),
    };
    for (const [name, headers] of Object.entries(cases)) {
      for (const url of [
        "/api/v1/me",
        "/api/v1/findings",
        "/api/v1/exports/csv",
        "/api/v1/nowhere",
      ]) {
        const response = await fixture.app.inject({ url, headers });
        expect(response.statusCode, `${name} ${url}`).toBe(401);
        expect(response.json().error.code).toBe("unauthorized");
      }
    }
  });

  it("guards a route by its declaration, however its URL is spelled", async () => {
    for (const url of [
      "/api/%761/me",
      "/api/v1/me/",
      "/API/v1/me",
      "/api/v1//me",
      "/api/v1/me?x=/healthz",
    ]) {
      const response = await fixture.app.inject({ url });
      expect([401, 404], url).toContain(response.statusCode);
    }
  });

  it("leaves health, readiness, metrics and the API document open", async () => {
    for (const url of ["/healthz", "/readyz", "/metrics", "/api/docs", "/api/docs/openapi.json"]) {
      expect((await fixture.app.inject({ url })).statusCode, url).toBe(200);
    }
  });
});

describe("errors", () => {
  it("answer with a stable code and no stack trace, SQL or internal detail", async () => {
    const probes = [
      { url: "/api/v1/findings?status=broken", status: 400 },
      { url: "/api/v1/findings?limit=100000", status: 400 },
      { url: "/api/v1/findings?cursor=%27%3B%20drop%20table%20scans%3B--", status: 400 },
      { url: "/api/v1/findings?q=%27%20or%201%3D1--", status: 200 },
      { url: "/api/v1/findings/not-an-id", status: 404 },
      { url: "/api/v1/scans/1%27%20or%201=1", status: 404 },
      { url: "/api/v1/drift?from=yesterday", status: 400 },
      { url: "/api/v1/resources/x/diff?from=-1", status: 400 },
      { url: "/api/v1/nowhere", status: 404 },
    ];
    for (const probe of probes) {
      const response = await fixture.app.inject({
        url: probe.url,
        headers: bearer(fixture.tokens.admin),
      });
      expect(response.statusCode, probe.url).toBe(probe.status);
      const text = response.body;
      for (const leak of [
        "select ",
        "SELECT",
        "    at ",
        "node_modules",
        "drizzle",
        "postgres",
        "stack",
      ]) {
        expect(text, `${probe.url} leaks ${leak}`).not.toContain(leak);
      }
      if (probe.status !== 200) {
        expect(Object.keys(response.json())).toEqual(["error"]);
        expect(Object.keys(response.json().error).sort()).toEqual(["code", "message"]);
      }
    }
  });

  it("refuse a malformed or mistyped request body with bad_request and no parser detail", async () => {
    const bodies = [
      { type: "application/json", payload: '{"name": "x", "role":' },
      { type: "text/plain", payload: "name=x" },
      { type: "application/json", payload: '{"name": "x", "role": "root", "scope": null}' },
    ];
    for (const body of bodies) {
      const response = await fixture.app.inject({
        method: "POST",
        url: "/api/v1/tokens",
        headers: { ...bearer(fixture.tokens.admin), "content-type": body.type },
        payload: body.payload,
      });
      expect(response.statusCode, body.payload).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, body.payload).toBeLessThan(500);
      expect(response.json().error.code).toBe("bad_request");
      expect(response.body).not.toMatch(/Unexpected|JSON\.parse|FST_|at position/);
    }
  });

  it("answer a NUL character or a forged cursor with bad_request, not internal_error", async () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    for (const url of [
      "/api/v1/findings?q=%00",
      "/api/v1/findings?tenant=re%00tail",
      "/api/v1/drift?q=%00",
      `/api/v1/findings/${b64(["retail", "keys.cmk-usable", "\u0000"])}`,
      `/api/v1/drift?cursor=${b64(["drift", "notadate", "x"])}`,
      `/api/v1/access-log?cursor=${b64(["access-log", "abc"])}`,
    ]) {
      const response = await fixture.app.inject({ url, headers: bearer(fixture.tokens.admin) });
      expect([400, 404], url).toContain(response.statusCode);
      expect(response.json().error.code, url).not.toBe("internal_error");
    }
  });

  it("turns a database failure into internal_error without its text", async () => {
    await queryDatabase(fixture.url, "alter table finding_state rename to finding_state_moved");
    try {
      const response = await fixture.app.inject({
        url: "/api/v1/findings",
        headers: bearer(fixture.tokens.admin),
      });
      expect(response.statusCode).toBe(500);
      expect(response.json()).toEqual({
        error: { code: "internal_error", message: "the request could not be completed" },
      });
    } finally {
      await queryDatabase(fixture.url, "alter table finding_state_moved rename to finding_state");
    }
  });
});

describe("access log", () => {
  it("records every request with token, route pattern, status and outcome, 401/403/404 included", async () => {
    const [{ id: marker } = { id: 0 }] = await queryDatabase<{ id: number }>(
      fixture.url,
      "select coalesce(max(id), 0) as id from access_log",
    );
    const me = (
      await fixture.app.inject({ url: "/api/v1/me", headers: bearer(fixture.tokens.retail) })
    ).json();
    await fixture.app.inject({
      url: "/api/v1/findings/abc",
      headers: bearer(fixture.tokens.retail),
    });
    await fixture.app.inject({ url: "/api/v1/tokens", headers: bearer(fixture.tokens.retail) });
    await fixture.app.inject({ url: "/api/v1/me", headers: bearer(fixture.tokens.revoked) });
    const rows = await queryDatabase<{ duration_ms: number }>(
      fixture.url,
      "select token_id, method, route, status, outcome, duration_ms from access_log where id > $1 order by id",
      [marker],
    );
    expect(rows.map(({ duration_ms, ...row }) => row)).toEqual([
      { token_id: me.tokenId, method: "GET", route: "/api/v1/me", status: 200, outcome: "ok" },
      {
        token_id: me.tokenId,
        method: "GET",
        route: "/api/v1/findings/:id",
        status: 404,
        outcome: "not_found",
      },
      {
        token_id: me.tokenId,
        method: "GET",
        route: "/api/v1/tokens",
        status: 403,
        outcome: "forbidden",
      },
      { token_id: null, method: "GET", route: "/api/v1/me", status: 401, outcome: "unauthorized" },
    ]);
    expect(rows.every((row) => row.duration_ms >= 0)).toBe(true);
  });

  it("shows the log to an admin, newest first", async () => {
    const response = await fixture.app.inject({
      url: "/api/v1/access-log?limit=2",
      headers: bearer(fixture.tokens.admin),
    });
    const body = response.json() as { items: { id: number; route: string }[]; nextCursor: string };
    expect(body.items).toHaveLength(2);
    expect(body.items[0]?.id).toBeGreaterThan(body.items[1]?.id ?? Infinity);
    const next = await fixture.app.inject({
      url: `/api/v1/access-log?limit=2&cursor=${body.nextCursor}`,
      headers: bearer(fixture.tokens.admin),
    });
    expect(next.json().items[0].id).toBeLessThan(body.items[1]?.id ?? 0);
  });

  it("cannot be updated or deleted", async () => {
    await expect(queryDatabase(fixture.url, "update access_log set status = 200")).rejects.toThrow(
      /append-only/,
    );
    await expect(queryDatabase(fixture.url, "delete from access_log")).rejects.toThrow(
      /append-only/,
    );
    const count = await queryDatabase(
      fixture.url,
      "select count(*)::int as n from access_log where status = 401",
    );
    expect(count[0]?.n).toBeGreaterThan(0);
  });
});

describe("scan queue", () => {
  it("answers 503 queue_unavailable when no trigger is configured", async () => {
    const { startApiFixture: start } = await import("./support/api-fixture.js");
    const bare = await start("api_noqueue");
    try {
      const response = await bare.app.inject({
        method: "POST",
        url: "/api/v1/scans",
        headers: bearer(bare.tokens.admin),
      });
      expect(response.statusCode, response.body).toBe(503);
      expect(response.json().error.code).toBe("queue_unavailable");
    } finally {
      await bare.close();
    }
  }, 60_000);
});
