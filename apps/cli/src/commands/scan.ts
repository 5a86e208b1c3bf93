import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { EstateError, type RunningEmulator, startEmulator } from "@plumbline/emulator";
import {
  type Finding,
  FRAMEWORK_NAMES,
  type Framework,
  frameworkByName,
  type Severity,
} from "@plumbline/rules";
import { createCloudAccess, runScan, type ScanSummary } from "@plumbline/scanner";
import { openStore, type Store, StoreError } from "@plumbline/store";
import { DEFAULT_DATA_DIR } from "../config.js";
import { parseEvaluationDate } from "../dates.js";
import { ExitCode, type ExitCodeValue, UsageError } from "../errors.js";
import { writeJsonReport } from "../output/json-report.js";
import { createProgressDisplay } from "../output/progress.js";
import type { ReportScan } from "../output/scan-report.js";
import { writeTableReport } from "../output/table-report.js";
import type { CommandIo } from "./command-io.js";
import { loadPolicyForCommand } from "./load-policy.js";

const severities: Severity[] = ["low", "medium", "high", "critical"];

export interface ScanCommandOptions {
  policy: string;
  estate?: string;
  db?: string;
  format: string;
  failOn?: string;
  strict?: boolean;
  now?: string;
  /** Table output only: group findings by this framework's requirements (`gdpr`, `dora`, …). */
  framework?: string;
}

/** `--db` (or DATABASE_URL) names PostgreSQL by URL; anything else is a PGlite folder. */
export function storeLocation(db: string | undefined, databaseUrl: string | undefined) {
  const target = db ?? databaseUrl;
  if (target === undefined) {
    return { dataDir: DEFAULT_DATA_DIR };
  }
  return /^postgres(ql)?:\/\//i.test(target) ? { url: target } : { dataDir: target };
}

function parseFormat(format: string): "table" | "json" {
  if (format === "table" || format === "json") {
    return format;
  }
  throw new UsageError(`--format: "${format}" is not one of table, json`);
}

function parseFailOn(value: string | undefined): Severity | undefined {
  if (value === undefined) {
    return undefined;
  }
  const severity = severities.find((s) => s === value);
  if (severity === undefined) {
    throw new UsageError(`--fail-on: "${value}" is not one of ${severities.join(", ")}`);
  }
  return severity;
}

function parseFramework(name: string | undefined): Framework | undefined {
  if (name === undefined) {
    return undefined;
  }
  const framework = frameworkByName(name);
  if (framework === undefined) {
    throw new UsageError(`--framework: "${name}" is not one of ${FRAMEWORK_NAMES.join(", ")}`);
  }
  return framework;
}

function toReportScan(summary: ScanSummary): ReportScan {
  return {
    id: summary.id,
    startedAt: summary.startedAt.toISOString(),
    finishedAt: summary.finishedAt.toISOString(),
    status: summary.status,
    accounts: summary.accounts.map((account) => ({
      provider: account.provider,
      account: account.account,
      tenant: account.owner,
      status: account.status,
      resources: account.resources,
      reason: account.reason,
      skippedRegions: account.skippedRegions,
    })),
    unmapped: summary.unmapped.map(({ provider, account }) => ({ provider, account })),
  };
}

/** Opens the store `--db` names; a store that cannot be opened is an input error. */
async function openNamedStore(db: string | undefined, io: CommandIo): Promise<Store> {
  try {
    return await openStore(storeLocation(db, io.env.DATABASE_URL));
  } catch (error) {
    if (error instanceof StoreError && error.kind === "connection") {
      throw new UsageError(`${db === undefined ? "the store" : "--db"}: ${error.message}`);
    }
    throw error;
  }
}

/** Serves an estate folder on a loopback port; a folder that cannot be served is an input error. */
async function startEstateEmulator(estateDir: string, io: CommandIo): Promise<RunningEmulator> {
  try {
    return await startEmulator({ estateDir, logger: io.logger.child({ component: "emulator" }) });
  } catch (error) {
    if (error instanceof EstateError) {
      throw new UsageError(`--estate: ${error.message}`);
    }
    throw error;
  }
}

/**
 * `plumbline scan`: collect, store, evaluate and report. With `--estate` the emulator serves
 * the estate on a loopback port and the real SDK clients are pointed at it.
 */
export async function scanCommand(
  options: ScanCommandOptions,
  io: CommandIo,
): Promise<ExitCodeValue> {
  const format = parseFormat(options.format);
  const failOn = parseFailOn(options.failOn);
  const framework = parseFramework(options.framework);
  const now = parseEvaluationDate(options.now, io.clock);

  const policy = await loadPolicyForCommand(options.policy, now, io);
  if (policy === null) {
    return ExitCode.usageOrInput;
  }
  const policyHash = createHash("sha256")
    .update(await readFile(options.policy))
    .digest("hex");

  const store = await openNamedStore(options.db, io);
  let emulator: RunningEmulator | undefined;
  const progress = createProgressDisplay(io.stderr, io.interactive);
  try {
    emulator =
      options.estate === undefined ? undefined : await startEstateEmulator(options.estate, io);
    const cloud = createCloudAccess({
      policy: policy,
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
    const summary = await runScan({
      policy: policy,
      policyHash,
      cloud,
      sink: store,
      now,
      clock: io.clock,
      logger: io.logger.child({ component: "scan" }),
      onProgress: progress.update,
    });
    progress.finish(summary);

    let thresholdReached = false;
    const threshold = failOn === undefined ? undefined : severities.indexOf(failOn);
    const counts = (finding: Finding): boolean =>
      finding.status === "fail" || (options.strict === true && finding.status === "error");
    async function* observed(): AsyncIterable<Finding[]> {
      for await (const page of store.streamFindings(summary.id)) {
        if (threshold !== undefined && !thresholdReached) {
          thresholdReached = page.some(
            (f) => counts(f) && severities.indexOf(f.severity) >= threshold,
          );
        }
        yield page;
      }
    }
    const report = toReportScan(summary);
    if (format === "json") {
      // Limitation: --framework groups only the table output; the JSON report carries no
      // framework grouping (consumers join findings with `plumbline controls --format json`).
      await writeJsonReport(io.stdout, report, observed());
    } else {
      await writeTableReport(io.stdout, report, observed(), framework ? { framework } : {});
    }

    if (summary.status === "failed") {
      return ExitCode.scanFailed;
    }
    // Under --strict what could not be read counts against the estate: a partial scan proves
    // less than the policy asks for.
    if (options.strict === true && summary.status === "partial") {
      return ExitCode.findingsAtThreshold;
    }
    return thresholdReached ? ExitCode.findingsAtThreshold : ExitCode.ok;
  } finally {
    await store.close();
    await emulator?.close();
  }
}
