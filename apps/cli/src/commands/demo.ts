import { fileURLToPath } from "node:url";
import { createApiToken } from "@plumbline/api";
import type { Policy } from "@plumbline/rules";
import { runScan, type ScanSummary } from "@plumbline/scanner";
import type { Store } from "@plumbline/store";
import { locateDashboardDir } from "../dashboard-dir.js";
import { ExitCode, type ExitCodeValue, UsageError } from "../errors.js";
import { createProgressDisplay } from "../output/progress.js";
import type { CommandIo } from "./command-io.js";
import { loadPolicyForCommand } from "./load-policy.js";
import {
  createCommandCloudAccess,
  ensurePortFree,
  hashPolicyFile,
  listenApi,
  openCommandStore,
  parsePort,
  startEstateEmulator,
  waitForStopSignal,
} from "./runtime.js";

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
  const policyHash = await hashPolicyFile(options.policyPath);
  const emulator = await startEstateEmulator(options.estateDir, io, options.estateDir);
  try {
    const progress = createProgressDisplay(io.stderr, io.interactive);
    const summary = await runScan({
      policy,
      policyHash,
      cloud: createCommandCloudAccess(policy, emulator, io),
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
  // The scan takes a while and is stored; a taken port should stop the demo before it.
  await ensurePortFree({ port, host: "127.0.0.1" });

  const store = await openCommandStore(options.db, io);
  try {
    const { summary, policy } = await scanEstate(store, { policyPath, estateDir, now }, io);
    const { secret } = await createApiToken(store.database, {
      name: "demo auditor",
      role: "auditor",
      scope: null,
      expiresAt: new Date(now.getTime() + DEMO_TOKEN_HOURS * 3_600_000),
      now,
    });
    const api = await listenApi(
      { store, policy, logger: io.logger, dashboardDir, clock: io.clock },
      { port, host: "127.0.0.1" },
    );
    return {
      url: `${api.url}/`,
      token: secret,
      scan: summary,
      close: async () => {
        await api.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * `plumbline demo`: the example estate scanned into the embedded store and the dashboard
 * served with a fresh auditor token, until interrupted.
 */
export async function demoCommand(
  options: DemoCommandOptions,
  io: CommandIo,
  untilStopped: () => Promise<unknown> = waitForStopSignal,
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
