import { writeFile } from "node:fs/promises";
import { scanReportJsonSchema } from "../src/output/report-schema.js";

/** Rewrites docs/scan-report.schema.json from the report's zod schema. */
const target = new URL("../../../docs/scan-report.schema.json", import.meta.url);
await writeFile(target, `${JSON.stringify(scanReportJsonSchema(), null, 2)}\n`);
