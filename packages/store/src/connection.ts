import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { type SQL, sql } from "drizzle-orm";
import { drizzle as drizzleNodePostgres } from "drizzle-orm/node-postgres";
import { migrate as migrateNodePostgres } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import lockfile from "proper-lockfile";
import * as schema from "./schema.js";

/** One drizzle type for both drivers. */
export type StoreDatabase = PgDatabase<PgQueryResultHKT, typeof schema>;

/**
 * Where the store keeps its data: a PostgreSQL server (`url`, a `postgres://` connection
 * string), or embedded PGlite in a folder (`dataDir`). A `dataDir` that is undefined, `memory`
 * or starts with `memory://` keeps everything in memory, gone on close.
 */
export type StoreOptions = ({ url: string } | { dataDir: string | undefined }) & {
  /** Receives failures that happen outside any call (an idle server connection dropping). */
  logger?: StoreLogger;
};

/** The slice of a pino logger the store uses. */
export interface StoreLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

/** An open database: drizzle over one driver, with that driver's migrator and shutdown. */
export interface Connection {
  readonly db: StoreDatabase;
  readonly driver: "postgres" | "pglite";
  migrate(): Promise<void>;
  close(): Promise<void>;
}

// The folder sits beside src/ and dist/ alike, so one relative path serves both.
const migrationsFolder = fileURLToPath(new URL("../drizzle", import.meta.url));

// Any fixed number; it only has to be the same for every process migrating one database.
const migrationLockId = 0x706c756d;

function isInMemory(dataDir: string | undefined): boolean {
  return dataDir === undefined || dataDir === "memory" || dataDir.startsWith("memory://");
}

function connectPostgres(url: string, logger: StoreLogger | undefined): Connection {
  // The pool parses the URL only when it first connects; a client parses it at once, so a
  // malformed URL is refused here as a connection problem rather than inside a migration.
  new pg.Client({ connectionString: url });
  const pool = new pg.Pool({ connectionString: url });
  // Without a listener an idle client's error would end the process.
  pool.on("error", (error) => {
    logger?.warn({ code: (error as { code?: unknown }).code }, "database connection dropped");
  });
  const db = drizzleNodePostgres({ client: pool, schema });

  return {
    db,
    driver: "postgres",
    async migrate() {
      // Several workers may start at once; the advisory lock lets one migrate at a time.
      const client = await pool.connect();
      try {
        await client.query("select pg_advisory_lock($1)", [migrationLockId]);
        try {
          await migrateNodePostgres(drizzleNodePostgres({ client, schema }), { migrationsFolder });
        } finally {
          await client.query("select pg_advisory_unlock($1)", [migrationLockId]);
        }
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/**
 * Claims an embedded database folder for this process. PGlite keeps the database in memory and
 * writes it back to the folder, so a second process on the same folder works on a copy of its
 * own: what each writes is lost to the other, and writes made while both run can be lost for
 * good (a revoked token coming back, for one). The lock is refreshed while the process runs, so
 * one left by a killed process goes stale and is taken over within seconds.
 */
async function claimFolder(
  dataDir: string,
  logger: StoreLogger | undefined,
): Promise<() => Promise<void>> {
  try {
    return await lockfile.lock(dataDir, {
      lockfilePath: join(dataDir, "plumbline.lock"),
      stale: 10_000,
      update: 2_000,
      retries: 0,
      // The default handler throws from a timer, which would end the process.
      onCompromised: (error) => {
        logger?.warn({ code: (error as { code?: unknown }).code }, "database folder lock lost");
      },
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === "ELOCKED") {
      // No cause: the store's message quotes the innermost error, and this one says it all.
      throw new Error(
        `the embedded database in ${dataDir} is open in another process; an embedded ` +
          "database serves one process at a time, so stop that process first, or keep the " +
          "data in PostgreSQL to share it",
      );
    }
    throw error;
  }
}

async function connectPglite(
  dataDir: string | undefined,
  logger: StoreLogger | undefined,
): Promise<Connection> {
  if (dataDir === undefined || isInMemory(dataDir)) {
    return pgliteConnection(new PGlite(), async () => undefined);
  }
  await mkdir(dataDir, { recursive: true });
  const release = await claimFolder(dataDir, logger);
  try {
    return await pgliteConnection(new PGlite(dataDir), release);
  } catch (error) {
    await release();
    throw error;
  }
}

async function pgliteConnection(client: PGlite, release: () => Promise<void>): Promise<Connection> {
  await client.waitReady;
  const db = drizzlePglite({ client, schema });

  return {
    db,
    driver: "pglite",
    migrate: () => migratePglite(db, { migrationsFolder }),
    async close() {
      try {
        await client.close();
      } finally {
        // A lock already lost (its file removed by hand) has nothing left to release.
        await release().catch(() => undefined);
      }
    },
  };
}

/** Opens the database the options name; nothing is migrated yet. */
export async function connect(options: StoreOptions): Promise<Connection> {
  if ("url" in options) {
    return connectPostgres(options.url, options.logger);
  }
  return connectPglite(options.dataDir, options.logger);
}

/** Runs a query outside the query builder and returns its rows, whichever the driver. */
export async function selectRows<Row>(db: StoreDatabase, query: SQL): Promise<Row[]> {
  // Both drivers answer execute() with an object holding `rows`; the shared type cannot say so.
  const result = (await db.execute(query)) as unknown as { rows: Row[] };
  return result.rows;
}

/** How many migrations the database records as applied. */
export async function countAppliedMigrations(db: StoreDatabase): Promise<number> {
  const [table] = await selectRows<{ present: boolean }>(
    db,
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
  );
  if (table?.present !== true) {
    return 0;
  }

  const [row] = await selectRows<{ applied: number | string }>(
    db,
    sql`select count(*)::int as applied from drizzle.__drizzle_migrations`,
  );
  return Number(row?.applied ?? 0);
}
