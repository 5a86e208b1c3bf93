import { fileURLToPath } from "node:url";
import { createApiToken } from "@plumbline/api";
import type { Policy } from "@plumbline/rules";
import { runScan, type ScanSummary } from "@plumbline/scanner";
import type { Store } from "@plumbline/store";
import { locateDashboardDir } from "../dashboard-dir.js";
import { ExitCode, type ExitCodeValue, UsageError } from "../errors.js";
import { createProgressDisplay } from "../output/progress.js";
import type { CommandIo } from "./command-io.js";
import { withEarlierEstate } from "./earlier-estate.js";
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
 * The example estate as it was a week earlier: the documents that differed then, and
 * `not-yet-created.json`, the documents that did not exist yet.
 */
const earlierStateDir = `${examplesDir}estate-earlier`;

/**
 * How long before the demo's own scan the earlier state of the example estate
 * (`examples/estate-earlier/`) is evaluated on a first run, in days.
 */
const EARLIER_STATE_DAYS = 7;

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
  /**
   * The scan of the earlier state of the example estate, made first when the store held no
   * scan yet; null on later runs.
   */
  earlierScan: ScanSummary | null;
  close: () => Promise<void>;
}

interface EstateScanOptions {
  policy: Policy;
  policyHash: string;
  estateDir: string;
  /** The evaluation date. */
  now: Date;
  /** Wall clock for the scan's timestamps. */
  clock: () => Date;
  /** Whether collection progress and the verdict counts are written to stderr. */
  showProgress: boolean;
}

/** Scans the estate through the in-process emulator into the store, as `plumbline scan` does. */
async function scanEstate(
  store: Store,
  options: EstateScanOptions,
  io: CommandIo,
): Promise<ScanSummary> {
  const emulator = await startEstateEmulator(options.estateDir, io, options.estateDir);
  try {
    const progress = options.showProgress
      ? createProgressDisplay(io.stderr, io.interactive)
      : undefined;
    const summary = await runScan({
      policy: options.policy,
      policyHash: options.policyHash,
      cloud: createCommandCloudAccess(options.policy, emulator, io),
      sink: store,
      now: options.now,
      clock: options.clock,
      logger: io.logger.child({ component: "scan" }),
      ...(progress ? { onProgress: progress.update } : {}),
    });
    progress?.finish(summary);
    return summary;
  } finally {
    await emulator.close();
  }
}

/**
 * Scans the earlier state of the example estate as it was `EARLIER_STATE_DAYS` days ago, evaluated
 * and timestamped then, so that the scan of today's estate that follows records drift. Its
 * progress is not shown: the scan that follows is the one the demo reports.
 */
async function scanEarlierState(
  store: Store,
  options: Omit<EstateScanOptions, "now" | "clock" | "showProgress">,
  io: CommandIo,
): Promise<ScanSummary> {
  const clock = () => new Date(io.clock().getTime() - EARLIER_STATE_DAYS * 86_400_000);
  const now = clock();
  const summary = await withEarlierEstate(options.estateDir, earlierStateDir, (estateDir) =>
    scanEstate(store, { ...options, estateDir, now, clock, showProgress: false }, io),
  );
  io.logger.info(
    { scanId: summary.id, status: summary.status, evaluatedAt: now.toISOString() },
    "earlier state of the example estate scanned",
  );
  return summary;
}

/**
 * Scans the example estate into the store, creates an auditor token and serves the API with
 * the dashboard on a loopback port. When the store holds no scan yet, the earlier state of the
 * example estate is scanned first. The caller closes it.
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
    const policy = await loadPolicyForCommand(policyPath, now, io);
    if (policy === null) {
      throw new UsageError(`${policyPath} is not a valid policy`);
    }
    const policyHash = await hashPolicyFile(policyPath);

    // A first scan is a baseline and records no drift; replaying last week's state first gives
    // a newcomer's drift timeline real changes to show.
    const earlierScan =
      (await store.latestScan()) === null
        ? await scanEarlierState(store, { policy, policyHash, estateDir }, io)
        : null;
    const summary = await scanEstate(
      store,
      { policy, policyHash, estateDir, now, clock: io.clock, showProgress: true },
      io,
    );
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
      earlierScan,
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
 * `plumbline demo`: the example estate scanned into the embedded store (after its earlier state,
 * on a first run) and the dashboard served with a fresh auditor token, until interrupted.
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
      ...(demo.earlierScan === null
        ? []
        : [
            `Drift:          ${demo.scan.events} events, from replaying the estate of` +
              ` ${EARLIER_STATE_DAYS} days ago (examples/estate-earlier).`,
          ]),
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
