import { createRequire } from "node:module";
import { Readable } from "node:stream";
import { z } from "zod";
import { type ApiContext, type ApiInstance, authOf } from "../context.js";
import { errorResponseSchema } from "../contract/common.js";
import { exportParamsSchema, exportQuerySchema } from "../contract/exports.js";
import { FINDING_SORTS } from "../contract/findings.js";
import { findingsCsv } from "../exports/csv.js";
import { jsonArrayStream } from "../exports/json-array.js";
import { findingsOcsf } from "../exports/ocsf.js";
import { findingsSarif } from "../exports/sarif.js";
import { iterateFindings } from "../read/finding-query.js";
import { bearerSecurity } from "./route-schema.js";

/** The version written into exports: the API package's version. */
const PRODUCT_VERSION = (
  createRequire(import.meta.url)("../../package.json") as { version: string }
).version;

const formats = {
  csv: { type: "text/csv; charset=utf-8", file: "plumbline-findings.csv" },
  json: { type: "application/json; charset=utf-8", file: "plumbline-findings.json" },
  sarif: { type: "application/sarif+json; charset=utf-8", file: "plumbline-findings.sarif" },
  ocsf: { type: "application/json; charset=utf-8", file: "plumbline-findings.ocsf.json" },
} as const;

export function registerExportRoutes(app: ApiInstance, context: ApiContext): void {
  app.get(
    "/api/v1/exports/:format",
    {
      config: { access: "read" },
      schema: {
        tags: ["findings"],
        summary: "The current findings, filtered like the list, as CSV, JSON, SARIF or OCSF",
        description:
          "Streamed. csv: a header and one line per finding. json: an array of Finding. " +
          "sarif: a SARIF 2.1.0 log. ocsf: an array of OCSF 1.3 Compliance Finding events " +
          `(class_uid 2003). Sort: one of ${FINDING_SORTS.join(", ")}.`,
        security: bearerSecurity,
        params: exportParamsSchema,
        querystring: exportQuerySchema,
        response: {
          200: z.unknown().describe("The export file, streamed; its media type names the format"),
          400: errorResponseSchema,
          401: errorResponseSchema,
          403: errorResponseSchema,
          500: errorResponseSchema,
          503: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const { scope } = authOf(request);
      const { sort, ...filters } = request.query;
      const format = request.params.format;
      const pages = iterateFindings(context.store.database, { filters, scope, sort });
      // The first page is read before answering, so a bad filter is a 400, not a broken stream.
      const first = await pages.next();
      async function* all() {
        if (first.done !== true) yield first.value;
        yield* pages;
      }
      const body =
        format === "csv"
          ? findingsCsv(all())
          : format === "sarif"
            ? findingsSarif(all(), { toolVersion: PRODUCT_VERSION })
            : format === "ocsf"
              ? findingsOcsf(all(), { productVersion: PRODUCT_VERSION })
              : jsonArrayStream("[", all(), (finding) => finding, "]");
      // Limitation: the access log records an export as answered (200) when streaming starts; a
      // database failure mid-stream truncates the file and is only seen in the server log.
      const stream = Readable.from(body);
      stream.on("error", (error) => {
        context.logger.error({ err: error, format }, "export failed while streaming");
      });
      return reply
        .type(formats[format].type)
        .header("content-disposition", `attachment; filename="${formats[format].file}"`)
        .send(stream);
    },
  );
}
