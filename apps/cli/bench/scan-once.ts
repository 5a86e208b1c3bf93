import { fork } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadPolicyFile } from "@plumbline/rules";
import { createCloudAccess, runScan } from "@plumbline/scanner";
import { openStore } from "@plumbline/store";
import { pino } from "pino";

/**
 * Scans one generated estate and prints one JSON line of figures: resources, seconds, peak
 * resident and heap memory of this process (the emulator runs in a child of its own).
 */
const estateDir = process.argv[2];
if (estateDir === undefined) {
  throw new Error("usage: scan-once <estate folder>");
}
const emulatorProcess = fork(
  fileURLToPath(new URL("./emulator-process.ts", import.meta.url)),
  [estateDir],
  { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] },
);
const [endpoints] = (await once(emulatorProcess, "message")) as [
  { awsEndpoint: string; azureEndpoint: string; caCertificate: string },
];

const dataDir = await mkdtemp(join(tmpdir(), "plumbline-bench-"));
const store = await openStore({ dataDir });
const { policy } = await loadPolicyFile(join(estateDir, "plumbline.yaml"), {
  now: new Date("2026-12-03T00:00:00Z"),
});
const logger = pino({ level: "warn" }, pino.destination(2));

let peakRss = 0;
let peakHeap = 0;
const sample = (): void => {
  const usage = process.memoryUsage();
  peakRss = Math.max(peakRss, usage.rss);
  peakHeap = Math.max(peakHeap, usage.heapUsed);
};
const baselineRss = process.memoryUsage().rss;
const sampler = setInterval(sample, 25);

const started = performance.now();
const summary = await runScan({
  policy,
  cloud: createCloudAccess({ policy, logger, estate: endpoints }),
  sink: store,
  now: new Date("2026-12-03T00:00:00Z"),
  logger,
});
const seconds = (performance.now() - started) / 1000;
sample();
clearInterval(sampler);

const resources = summary.accounts.reduce((sum, account) => sum + account.resources, 0);
const findings = Object.values(summary.verdicts).reduce((sum, n) => sum + n, 0);
process.stdout.write(
  `${JSON.stringify({
    resources,
    findings,
    status: summary.status,
    seconds,
    baselineRssMb: baselineRss / 2 ** 20,
    peakRssMb: peakRss / 2 ** 20,
    peakHeapMb: peakHeap / 2 ** 20,
  })}\n`,
);
await store.close();
emulatorProcess.kill();
await rm(dataDir, { recursive: true, force: true });
