import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * The machine's PostgreSQL. Test files never share a database: each makes its own on this
 * server and drops it when done, so files run in parallel without seeing each other's rows.
 */
export const postgresServerUrl =
  process.env.DATABASE_URL_TEST ?? "postgres://postgres@127.0.0.1:5432/test";

/** A database of its own for one test file. */
export interface TestDatabase {
  url: string;
  name: string;
  /** Drops the database, closing any connection a failed test left open. */
  drop(): Promise<void>;
}

/** Runs one query on a database as an operator would, outside the code under test. */
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

/**
 * Creates an empty database named after the suite, so a database left behind by a killed run
 * tells which suite made it.
 */
export async function createTestDatabase(suite: string): Promise<TestDatabase> {
  if (!/^[a-z][a-z0-9_]{0,30}$/.test(suite)) {
    throw new Error(`test database suite name must be lower-case letters, digits and _: ${suite}`);
  }
  const name = `plumbline_${suite}_${randomBytes(6).toString("hex")}`;
  await queryDatabase(postgresServerUrl, `create database ${name}`);
  const url = new URL(postgresServerUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      await queryDatabase(postgresServerUrl, `drop database if exists ${name} with (force)`);
    },
  };
}
