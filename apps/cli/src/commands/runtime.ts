import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { type ApiOptions, createApi } from "@plumbline/api";
import { EstateError, type RunningEmulator, startEmulator } from "@plumbline/emulator";
import type { Policy } from "@plumbline/rules";
import { type CloudAccess, createCloudAccess } from "@plumbline/scanner";
import { openStore, type Store, StoreError } from "@plumbline/store";
import { DEFAULT_DATA_DIR } from "../config.js";
import { UsageError } from "../errors.js";
import type { CommandIo } from "./command-io.js";

/**
 * `--db` (or DATABASE_URL) names PostgreSQL by URL, or a PGlite folder by path. Another URL
 * scheme (a typo such as `postgress://`, or another database) is refused rather than taken
 * for a folder, which would send the data to a throwaway store and write the URL to disk.
 */
export function storeLocation(db: string | undefined, databaseUrl: string | undefined) {
  const target = db ?? databaseUrl;
  if (target === undefined) {
    return { dataDir: DEFAULT_DATA_DIR };
  }
  if (/^postgres(ql)?:\/\//i.test(target)) return { url: target };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(target)?.[1];
  if (scheme !== undefined && scheme.toLowerCase() !== "memory") {
    const source = db === undefined ? "DATABASE_URL" : "--db";
    throw new UsageError(
      `${source}: "${scheme}://" is not a supported database URL; use postgres:// or postgresql://` +
        " for PostgreSQL, or a folder path for the embedded database",
    );
  }
  return { dataDir: target };
}

/** Opens a store; one that cannot be reached is an input error named after `source`. */
export async function openStoreAt(
  location: Parameters<typeof openStore>[0],
  source: string,
): Promise<Store> {
  try {
    return await openStore(location);
  } catch (error) {
    if (error instanceof StoreError && error.kind === "connection") {
      throw new UsageError(`${source}: ${error.message}`);
    }
    throw error;
  }
}

/** Opens the store `--db` names, else DATABASE_URL, else the embedded default. */
export function openCommandStore(db: string | undefined, io: CommandIo): Promise<Store> {
  return openStoreAt(
    storeLocation(db, io.env.DATABASE_URL),
    db === undefined ? "the store" : "--db",
  );
}

/** The SHA-256 of the policy file as read, recorded with each scan. */
export async function hashPolicyFile(path: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(path))
    .digest("hex");
}

/**
 * Serves an estate folder on a loopback port; a folder that cannot be served is an input
 * error named after `source` (the option or path the folder came from).
 */
export async function startEstateEmulator(
  estateDir: string,
  io: CommandIo,
  source = "--estate",
): Promise<RunningEmulator> {
  try {
    return await startEmulator({ estateDir, logger: io.logger.child({ component: "emulator" }) });
  } catch (error) {
    if (error instanceof EstateError) {
      throw new UsageError(`${source}: ${error.message}`);
    }
    throw error;
  }
}

/** The real cloud SDK clients, pointed at the emulator when one serves the estate. */
export function createCommandCloudAccess(
  policy: Policy,
  emulator: RunningEmulator | undefined,
  io: CommandIo,
): CloudAccess {
  return createCloudAccess({
    policy,
    logger: io.logger.child({ component: "collector" }),
    ...(emulator
      ? {
          estate: {
            azureEndpoint: emulator.azureEndpoint,
            awsEndpoint: emulator.awsEndpoint,
            caCertificate: emulator.caCertificate,
          },
        }
      : {}),
  });
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port: "${value}" is not a port number`);
  }
  return port;
}

/**
 * Refuses a port another process already listens on, before any slow work starts: a usage
 * error like the one `listenApi` gives. Port 0 always passes.
 */
export async function ensurePortFree(address: { port: number; host: string }): Promise<void> {
  if (address.port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", reject);
    probe.listen(address.port, address.host, () => resolve());
  }).catch((error: unknown) => {
    if ((error as { code?: unknown }).code === "EADDRINUSE") {
      throw new UsageError(`--port: port ${address.port} is already in use on ${address.host}`);
    }
    throw error;
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

/** A listening API: its base URL, such as `http://127.0.0.1:8080`, and how to stop it. */
export interface ListeningApi {
  url: string;
  close: () => Promise<void>;
}

/**
 * Builds the API and listens on `host:port`; a port already taken is a usage error. The
 * caller owns the store and closes it.
 */
export async function listenApi(
  options: ApiOptions,
  address: { port: number; host: string },
): Promise<ListeningApi> {
  const api = await createApi(options);
  try {
    const url = await api.listen(address);
    return {
      url,
      close: async () => {
        await api.close();
      },
    };
  } catch (error) {
    await api.close().catch(() => undefined);
    const code = (error as { code?: unknown }).code;
    if (code === "EADDRINUSE") {
      throw new UsageError(`--port: port ${address.port} is already in use on ${address.host}`);
    }
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN") {
      throw new UsageError(`--host: ${address.host} is not an address of this machine`);
    }
    throw error;
  }
}

/** Resolves with the name of the first SIGTERM or SIGINT, and stops listening for both. */
export function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      resolve(signal);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}
