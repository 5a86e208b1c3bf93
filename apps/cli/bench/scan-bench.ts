import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { generatedAccounts, generateEstate } from "./generate-estate.js";

/**
 * `pnpm bench`: scans generated estates of growing size, each in a fresh process, and prints
 * resources per second and peak memory. Memory should stay flat as the estate grows, because
 * the pipeline holds one page of resources at a time.
 */
const sizes = (process.env.BENCH_SIZES ?? "10000,25000,50000")
  .split(",")
  .map((size) => Number(size.trim()));
const run = promisify(execFile);

const policy = `version: 1
tenants:
  - id: bench
    accounts:
      azure: [${generatedAccounts.azure.join(", ")}]
      aws: [${generatedAccounts.aws.map((a) => `"${a}"`).join(", ")}]
    regions:
      allowed: [westeurope, swedencentral, eu-west-1]
sources:
  aws:
    regions: [eu-west-1, us-east-1]
`;

interface Figures {
  resources: number;
  findings: number;
  status: string;
  seconds: number;
  baselineRssMb: number;
  peakRssMb: number;
  peakHeapMb: number;
}

const rows: (Figures & { size: number })[] = [];
for (const size of sizes) {
  const dir = await mkdtemp(join(tmpdir(), "plumbline-estate-"));
  try {
    await generateEstate(dir, size);
    await writeFile(join(dir, "plumbline.yaml"), policy);
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", fileURLToPath(new URL("./scan-once.ts", import.meta.url)), dir],
      {
        maxBuffer: 1 << 20,
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
      },
    );
    const figures = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Figures;
    rows.push({ size, ...figures });
    process.stderr.write(`scanned ${size}: ${JSON.stringify(figures)}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

console.log("\nresources  status    seconds  resources/s  peak RSS MB  peak heap MB  findings");
for (const row of rows) {
  console.log(
    [
      String(row.resources).padStart(9),
      row.status.padEnd(8),
      row.seconds.toFixed(1).padStart(8),
      (row.resources / row.seconds).toFixed(0).padStart(12),
      row.peakRssMb.toFixed(0).padStart(12),
      row.peakHeapMb.toFixed(0).padStart(13),
      String(row.findings).padStart(9),
    ].join("  "),
  );
}
const first = rows[0];
const last = rows.at(-1);
if (first && last && first !== last) {
  const growth = last.peakHeapMb / first.peakHeapMb;
  console.log(
    `\npeak heap grew ${growth.toFixed(2)}x while the estate grew ${(last.size / first.size).toFixed(1)}x`,
  );
}
