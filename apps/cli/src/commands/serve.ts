import { createApi, type TriggerScan } from "@plumbline/api";
import { createJobQueues, enqueueScanNow, type JobQueues } from "@plumbline/scanner";
import { openStore, type Store, StoreError } from "@plumbline/store";
import { locateDashboardDir } from "../dashboard-dir.js";
import { ExitCode, type ExitCodeValue, UsageError } from "../errors.js";
import type { CommandIo } from "./command-io.js";
import { loadPolicyForCommand } from "./load-policy.js";
import { storeLocation } from "./scan.js";

export interface ServeCommandOptions {
  policy: string;
  port: string;
  host: string;
  db?: string;
}

/** A running API server and how to stop it. */
export interface RunningServer {
  /** Base URL, such as `http://127.0.0.1:8080`. */
  url: string;
  close: () => Promise<void>;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port: "${value}" is not a port number`);
  }
  return port;
}

/** Opens the store as `scan` does: `--db`, else DATABASE_URL, else the embedded default. */
export async function openCommandStore(db: string | undefined, io: CommandIo): Promise<Store> {
  try {
    return await openStore(storeLocation(db, io.env.DATABASE_URL));
  } catch (error) {
    if (error instanceof StoreError && error.kind === "connection") {
      throw new UsageError(`${db === undefined ? "the store" : "--db"}: ${error.message}`);
    }
    throw error;
  }
}

/** The built dashboard, or undefined (the API alone is served) when it has not been built. */
function dashboardDirOrNothing(io: CommandIo): string | undefined {
  try {
    return locateDashboardDir();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`warning: ${error.message}; serving the API only\n`);
    return undefined;
  }
}

/**
 * Starts the API (and the dashboard, when built) over the store. Scan-now goes to the job
 * queues when REDIS_URL is set; without it the route answers 503 `queue_unavailable`.
 */
export async function startServer(
  options: ServeCommandOptions,
  io: CommandIo,
): Promise<RunningServer | null> {
  const port = parsePort(options.port);
  const policy = await loadPolicyForCommand(options.policy, io.clock(), io);
  if (policy === null) return null;

  const store = await openCommandStore(options.db, io);
  let queues: JobQueues | undefined;
  try {
    const redisUrl = io.env.REDIS_URL;
    const prefix = io.env.PLUMBLINE_QUEUE_PREFIX;
    queues =
      redisUrl === undefined
        ? undefined
        : createJobQueues({ connection: redisUrl, ...(prefix ? { prefix } : {}) });
    const open = queues;
    const triggerScan: TriggerScan | undefined =
      open === undefined
        ? undefined
        : (request) =>
            enqueueScanNow(open, policy, {
              ...(request.accounts === undefined ? {} : { accounts: request.accounts }),
              requestedBy: request.requestedBy,
            });
    const dashboardDir = dashboardDirOrNothing(io);
    const api = await createApi({
      store,
      policy,
      logger: io.logger,
      clock: io.clock,
      ...(dashboardDir === undefined ? {} : { dashboardDir }),
      ...(triggerScan === undefined ? {} : { triggerScan }),
    });
    const url = await api.listen({ port, host: options.host });
    return {
      url,
      close: async () => {
        await api.close();
        await open?.close();
        await store.close();
      },
    };
  } catch (error) {
    await queues?.close();
    await store.close();
    if ((error as { code?: unknown }).code === "EADDRINUSE") {
      throw new UsageError(`--port: port ${port} is already in use on ${options.host}`);
    }
    throw error;
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
function waitForStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

/** `plumbline serve`: the API and dashboard until SIGINT or SIGTERM. */
export async function serveCommand(
  options: ServeCommandOptions,
  io: CommandIo,
  untilStopped: () => Promise<void> = waitForStopSignal,
): Promise<ExitCodeValue> {
  const server = await startServer(options, io);
  if (server === null) return ExitCode.usageOrInput;
  io.stdout.write(`Plumbline API listening on ${server.url} (OpenAPI: ${server.url}/api/docs)\n`);
  await untilStopped();
  await server.close();
  return ExitCode.ok;
}
