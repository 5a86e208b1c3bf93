import type { RunningEmulator } from "@plumbline/emulator";
import {
  type Finding,
  FRAMEWORK_NAMES,
  type Framework,
  frameworkByName,
  type Severity,
} from "@plumbline/rules";
import { runScan, type ScanSummary } from "@plumbline/scanner";
import { parseEvaluationDate } from "../dates.js";
import { ExitCode, type ExitCodeValue, UsageError } from "../errors.js";
import { writeJsonReport } from "../output/json-report.js";
import { createProgressDisplay } from "../output/progress.js";
import { type ReportScan, toReportDriftEvent } from "../output/scan-report.js";
import { writeTableReport } from "../output/table-report.js";
import type { CommandIo } from "./command-io.js";
import { loadPolicyForCommand } from "./load-policy.js";
import {
  createCommandCloudAccess,
  hashPolicyFile,
  openCommandStore,
  startEstateEmulator,
} from "./runtime.js";

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
    discoveryErrors: summary.discoveryErrors,
  };
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
  const policyHash = await hashPolicyFile(options.policy);

  const store = await openCommandStore(options.db, io);
  let emulator: RunningEmulator | undefined;
  const progress = createProgressDisplay(io.stderr, io.interactive);
  try {
    emulator =
      options.estate === undefined ? undefined : await startEstateEmulator(options.estate, io);
    const cloud = createCommandCloudAccess(policy, emulator, io);
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
    const drift = (await store.listScanDriftEvents(summary.id)).map(toReportDriftEvent);
    if (format === "json") {
      // Limitation: --framework groups only the table output; the JSON report carries no
      // framework grouping (consumers join findings with `plumbline controls --format json`).
      await writeJsonReport(io.stdout, report, observed(), drift);
    } else {
      await writeTableReport(io.stdout, report, observed(), {
        drift,
        ...(framework ? { framework } : {}),
      });
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
