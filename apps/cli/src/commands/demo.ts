import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { createApi, createApiToken } from "@plumbline/api";
import { EstateError, type RunningEmulator, startEmulator } from "@plumbline/emulator";
import type { Policy } from "@plumbline/rules";
import { createCloudAccess, runScan, type ScanSummary } from "@plumbline/scanner";
import { openStore, type Store, StoreError } from "@plumbline/store";
import { locateDashboardDir } from "../dashboard-dir.js";
import { ExitCode, type ExitCodeValue, UsageError } from "../errors.js";
import { createProgressDisplay } from "../output/progress.js";
import type { CommandIo } from "./command-io.js";
import { loadPolicyForCommand } from "./load-policy.js";
import { storeLocation } from "./scan.js";

/** The example estate and policy shipped in the repository (`examples/`). */
const examplesDir = fileURLToPath(new URL("../../../../examples/", import.meta.url));

/**
 * How long the printed auditor token stays valid: long enough for a look around.
 * Limitation: each run of `demo` adds a token to the store; expired demo tokens are not removed.
 */
const DEMO_TOKEN_HOURS = 24;

export interface DemoCommandOptions {
  db?: string;
  port: string;
}

/** A running demo: the dashboard's address and the auditor token printed for it. */
export interface RunningDemo {
  url: string;
  token: string;
  scan: ScanSummary;
  close: () => Promise<void>;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port: "${value}" is not a port number`);
  }
  return port;
}

async function openDemoStore(db: string | undefined, io: CommandIo): Promise<Store> {
  try {
    return await openStore(storeLocation(db, io.env.DATABASE_URL));
  } catch (error) {
    if (error instanceof StoreError && error.kind === "connection") {
      throw new UsageError(`${db === undefined ? "the store" : "--db"}: ${error.message}`);
    }
    throw error;
  }
}

/** Scans the estate through the in-process emulator into the store, as `plumbline scan` does. */
async function scanEstate(
  store: Store,
  options: { policyPath: string; estateDir: string; now: Date },
  io: CommandIo,
): Promise<{ summary: ScanSummary; policy: Policy }> {
  const policy = await loadPolicyForCommand(options.policyPath, options.now, io);
  if (policy === null) {
    throw new UsageError(`${options.policyPath} is not a valid policy`);
  }
  const policyHash = createHash("sha256")
    .update(await readFile(options.policyPath))
    .digest("hex");
  let emulator: RunningEmulator;
  try {
    emulator = await startEmulator({
      estateDir: options.estateDir,
      logger: io.logger.child({ component: "emulator" }),
    });
  } catch (error) {
    if (error instanceof EstateError) {
      throw new UsageError(`${options.estateDir}: ${error.message}`);
    }
    throw error;
  }
  try {
    const progress = createProgressDisplay(io.stderr, io.interactive);
    const summary = await runScan({
      policy,
      policyHash,
      cloud: createCloudAccess({
        policy,
        logger: io.logger.child({ component: "collector" }),
        estate: {
          azureEndpoint: emulator.azureEndpoint,
          awsEndpoint: emulator.awsEndpoint,
          caCertificate: emulator.caCertificate,
        },
      }),
      sink: store,
      now: options.now,
      clock: io.clock,
      logger: io.logger.child({ component: "scan" }),
      onProgress: progress.update,
    });
    progress.finish(summary);
    return { summary, policy };
  } finally {
    await emulator.close();
  }
}

/**
 * Scans the example estate into the store, creates an auditor token and serves the API with
 * the dashboard on a loopback port. The caller closes it.
 */
export async function startDemo(options: DemoCommandOptions, io: CommandIo): Promise<RunningDemo> {
  const port = parsePort(options.port);
  const dashboardDir = locateDashboardDir();
  const policyPath = `${examplesDir}plumbline.yaml`;
  const estateDir = `${examplesDir}estate`;
  const now = io.clock();

  const store = await openDemoStore(options.db, io);
  try {
    const { summary, policy } = await scanEstate(store, { policyPath, estateDir, now }, io);
    const { secret } = await createApiToken(store.database, {
      name: "demo auditor",
      role: "auditor",
      scope: null,
      expiresAt: new Date(now.getTime() + DEMO_TOKEN_HOURS * 3_600_000),
      now,
    });
    const api = await createApi({
      store,
      policy,
      logger: io.logger,
      dashboardDir,
      clock: io.clock,
    });
    const address = await api.listen({ port, host: "127.0.0.1" });
    return {
      url: `${address}/`,
      token: secret,
      scan: summary,
      close: async () => {
        await api.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    if ((error as { code?: unknown }).code === "EADDRINUSE") {
      throw new UsageError(`--port: port ${port} is already in use on 127.0.0.1`);
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

/**
 * `plumbline demo`: the example estate scanned into the embedded store and the dashboard
 * served with a fresh auditor token, until interrupted.
 */
export async function demoCommand(
  options: DemoCommandOptions,
  io: CommandIo,
  untilStopped: () => Promise<void> = waitForStopSignal,
): Promise<ExitCodeValue> {
  const demo = await startDemo(options, io);
  io.stdout.write(
    [
      "",
      `Scanned the example estate: ${demo.scan.status}, ${demo.scan.accounts.length} accounts.`,
      `Dashboard:      ${demo.url}`,
      `Auditor token:  ${demo.token}`,
      `                (read-only, every owner, valid ${DEMO_TOKEN_HOURS} hours; shown once)`,
      "Press Ctrl+C to stop.",
      "",
    ].join("\n"),
  );
  try {
    await untilStopped();
  } finally {
    await demo.close();
  }
  return ExitCode.ok;
}
