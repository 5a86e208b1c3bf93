import { Writable } from "node:stream";
import { createTestDatabase } from "@plumbline/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommandIo } from "../src/commands/command-io.js";
import { type RunningServer, startServer } from "../src/commands/serve.js";
import { fromRoot, runCommand } from "./support/harness.js";

const policy = fromRoot("examples/plumbline.yaml");
let database: { url: string; drop: () => Promise<void> };
let server: RunningServer | null = null;

beforeAll(async () => {
  database = await createTestDatabase("cli_serve");
  const scan = await runCommand([
    "scan",
    "--policy",
    policy,
    "--estate",
    fromRoot("examples/estate"),
    "--db",
    database.url,
    "--format",
    "json",
  ]);
  expect(scan.stderr).not.toContain("plumbline:");
}, 120_000);

afterAll(async () => {
  await server?.close();
  await database?.drop();
});

function io(): CommandIo {
  return {
    stdout: new Writable({ write: (_chunk, _encoding, done) => done() }),
    stderr: new Writable({ write: (_chunk, _encoding, done) => done() }),
    env: { PLUMBLINE_LOG_LEVEL: "silent", DATABASE_URL: database.url },
    logger: pino({ level: "silent" }),
    clock: () => new Date(),
    interactive: false,
  };
}

describe("plumbline token and serve", () => {
  it("create a retail token once, serve only retail findings with it, and refuse it once revoked", async () => {
    const created = await runCommand(
      [
        "token",
        "create",
        "--role",
        "auditor",
        "--tenant",
        "retail",
        "--expires",
        "2099-01-01",
        "--name",
        "dpo",
        "--policy",
        policy,
      ],
      { DATABASE_URL: database.url },
    );
    expect(created.code).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^plb_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain("It is shown once");

    const listed = await runCommand(["token", "list", "--format", "json"], {
      DATABASE_URL: database.url,
    });
    const tokens = JSON.parse(listed.stdout) as { id: string; name: string; scope: string[] }[];
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ name: "dpo", scope: ["retail"], role: "auditor" });
    expect(listed.stdout).not.toContain(secret);
    const table = await runCommand(["token", "list"], { DATABASE_URL: database.url });
    expect(table.stdout).toMatch(/auditor\s+retail\s+active until 2099-01-01/);

    server = await startServer({ policy, port: "0", host: "127.0.0.1" }, io());
    expect(server).not.toBeNull();
    const base = server?.url ?? "";
    const headers = { authorization: `Bearer ${secret}` };
    const findings = (await (
      await fetch(`${base}/api/v1/findings?limit=500`, { headers })
    ).json()) as {
      items: { tenant: string }[];
      total: number;
    };
    expect(findings.total).toBeGreaterThan(0);
    expect(new Set(findings.items.map((finding) => finding.tenant))).toEqual(new Set(["retail"]));
    const csv = await (await fetch(`${base}/api/v1/exports/csv`, { headers })).text();
    expect(csv.trim().split("\r\n")).toHaveLength(findings.total + 1);
    const scan = await fetch(`${base}/api/v1/scans`, { method: "POST", headers });
    expect(scan.status).toBe(403);
    const ready = await fetch(`${base}/readyz`);
    expect(await ready.json()).toEqual({
      status: "ready",
      checks: { database: true, migrations: true },
    });

    const revoked = await runCommand(["token", "revoke", tokens[0]?.id ?? ""], {
      DATABASE_URL: database.url,
    });
    expect(revoked.code).toBe(0);
    expect((await fetch(`${base}/api/v1/me`, { headers })).status).toBe(401);
  }, 60_000);

  it("refuse a token without a scope or with a tenant the policy does not name", async () => {
    const none = await runCommand(["token", "create", "--role", "auditor"], {
      DATABASE_URL: database.url,
    });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--tenant ID");
    const typo = await runCommand(
      ["token", "create", "--role", "auditor", "--tenant", "retial", "--policy", policy],
      { DATABASE_URL: database.url },
    );
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('"retial"');
    const past = await runCommand(
      ["token", "create", "--role", "admin", "--all", "--expires", "2020-01-01"],
      { DATABASE_URL: database.url },
    );
    expect(past.code).toBe(2);
    const scopedAdmin = await runCommand(
      ["token", "create", "--role", "admin", "--tenant", "retail"],
      { DATABASE_URL: database.url },
    );
    expect(scopedAdmin.code).toBe(2);
    const foreignHost = await runCommand(
      ["serve", "--policy", policy, "--host", "192.0.2.1", "--port", "0"],
      { DATABASE_URL: database.url },
    );
    expect(foreignHost.code).toBe(2);
    expect(foreignHost.stderr).toContain("--host: 192.0.2.1 is not an address of this machine");
    expect(scopedAdmin.stderr).toContain(
      "--role admin: an admin token sees every owner; use --all, or --role auditor to keep the scope",
    );
    const unknown = await runCommand(["token", "revoke", "6f1d2c3b-0000-4000-8000-000000000001"], {
      DATABASE_URL: database.url,
    });
    expect(unknown.code).toBe(2);
  });

  it("warn when an admin token is created without an expiry", async () => {
    const admin = await runCommand(["token", "create", "--role", "admin", "--all"], {
      DATABASE_URL: database.url,
    });
    expect(admin.code).toBe(0);
    expect(admin.stdout).toMatch(/^plb_\S+\n$/);
    expect(admin.stderr).toContain("warning: this admin token never expires");
    const dated = await runCommand(
      ["token", "create", "--role", "admin", "--all", "--expires", "2099-01-01"],
      { DATABASE_URL: database.url },
    );
    expect(dated.stderr).not.toContain("never expires");
  });
});
