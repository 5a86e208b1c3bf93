import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import pg from "pg";

/** Repository root, so tests read the shipped example policy wherever vitest runs. */
export const repositoryRoot = fileURLToPath(new URL("../../../../", import.meta.url));

const adminUrl = process.env.DATABASE_URL_TEST ?? "postgres://postgres@127.0.0.1:5432/test";

/** A PostgreSQL database of its own for one test file; drop it when the file is done. */
export async function createTestDatabase(prefix: string): Promise<{
  url: string;
  drop: () => Promise<void>;
}> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Runs one statement on the database outside the API, as an operator with psql would. */
export async function runSql(url: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}
