import { openStore } from "@plumbline/store";
import { createTestDatabase, queryDatabase, type TestDatabase } from "@plumbline/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromRoot, runCommand } from "./support/harness.js";

const policy = fromRoot("examples/plumbline.yaml");
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase("cli_token_create");
  // Migrated up front, so that "nothing stored" is read from an existing, empty token table.
  await (await openStore({ url: database.url })).close();
});
afterAll(async () => database?.drop());

async function storedScopes(): Promise<unknown[]> {
  const rows = await queryDatabase<{ scope: unknown }>(
    database.url,
    "select scope from api_tokens order by created_at",
  );
  return rows.map((row) => row.scope);
}

describe("plumbline token create --tenant", () => {
  it("refuses a tenant id without --policy to check it against, storing nothing", async () => {
    const result = await runCommand(
      ["token", "create", "--role", "auditor", "--tenant", "nosuch"],
      { DATABASE_URL: database.url },
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "plumbline: --tenant needs --policy FILE, the policy that defines the tenant ids\n",
    );
    expect(await storedScopes()).toEqual([]);
  });

  it("refuses an unknown tenant in one line naming it and the policy's tenants", async () => {
    const refused = await runCommand(
      [
        ...["token", "create", "--role", "auditor", "--tenant", "retail", "--tenant", "nosuch"],
        ...["--policy", policy],
      ],
      { DATABASE_URL: database.url },
    );
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe("");
    // Warnings about the example policy's dates may come first; the refusal is one line.
    const errors = refused.stderr.split("\n").filter((line) => line.startsWith("plumbline:"));
    expect(errors).toEqual([
      'plumbline: scope: "nosuch" is neither a tenant of the policy nor `platform` ' +
        "(its tenants: retail, wealth)",
    ]);
    expect(await storedScopes()).toEqual([]);
  });

  it("creates a token for a tenant of the policy, and one for every owner", async () => {
    const scoped = await runCommand(
      ["token", "create", "--role", "auditor", "--tenant", "wealth", "--policy", policy],
      { DATABASE_URL: database.url },
    );
    expect(scoped.code).toBe(0);
    expect(scoped.stdout).toMatch(/^plb_[A-Za-z0-9_-]{43}\n$/);
    const everyOwner = await runCommand(["token", "create", "--role", "auditor", "--all"], {
      DATABASE_URL: database.url,
    });
    expect(everyOwner.code).toBe(0);
    expect(await storedScopes()).toEqual([["wealth"], null]);
  });
});
