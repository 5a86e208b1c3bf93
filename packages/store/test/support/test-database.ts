import { randomBytes } from "node:crypto";
import pg from "pg";

/** The machine's PostgreSQL; each test file makes and drops its own database on it. */
export const serverUrl = "postgres://postgres@127.0.0.1:5432/test";

/** A database of its own for one test file, dropped when the file is done. */
export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function runOnServer(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `plumbline_store_${randomBytes(6).toString("hex")}`;
  await runOnServer(`create database ${name}`);

  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => runOnServer(`drop database if exists ${name} with (force)`),
  };
}

/** Runs one query against a database outside the store, for checks the store has no API for. */
export async function queryDatabase<Row extends Record<string, unknown>>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<Row>(text, values);
    return result.rows;
  } finally {
    await client.end();
  }
}
