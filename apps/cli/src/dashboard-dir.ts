import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "./errors.js";

/**
 * The built dashboard (`apps/dashboard/dist`), found through the workspace package so it does
 * not depend on the working directory. A missing build is a usage error that says what to run.
 */
export function locateDashboardDir(): string {
  const manifest = fileURLToPath(import.meta.resolve("@plumbline/dashboard/package.json"));
  const dir = join(dirname(manifest), "dist");
  if (!existsSync(join(dir, "index.html"))) {
    throw new UsageError(
      `the dashboard is not built (no ${join(dir, "index.html")}): run \`pnpm build\` first`,
    );
  }
  return dir;
}
