import type { ResourceGraphClient } from "@azure/arm-resourcegraph";
import { isRestError, type RestError } from "@azure/core-rest-pipeline";
import type { Logger } from "pino";
import type { ResourceGraphQuota } from "./azure-quota.js";
import { describeError } from "./errors.js";

/**
 * The Resource Graph query of the Azure collector: the documented columns of the `resources`
 * table, ordered by `id` so that `$skipToken` paging is stable.
 */
export const RESOURCE_GRAPH_QUERY =
  "resources | project id, name, type, location, kind, sku, identity, properties, tags, " +
  "subscriptionId, resourceGroup, tenantId, zones, managedBy, extendedLocation | order by id asc";

/** Largest page Resource Graph returns. */
export const RESOURCE_GRAPH_MAX_PAGE = 1000;

/** What reading all pages of one query came to. */
export interface ResourceGraphReadResult {
  /** Pages read and handed on. */
  pages: number;
  /** Why paging stopped before the end; null when every page was read. */
  failure: string | null;
}

/** Options of `readResourceGraphPages`. */
export interface ResourceGraphReadOptions {
  client: ResourceGraphClient;
  /** Subscriptions of the batch (fewer than 300). */
  subscriptions: string[];
  query: string;
  /** Rows per page, 1 to 1000. */
  pageSize: number;
  /** Attempts per page before the page counts as failed. */
  maxAttempts: number;
  /** Quota tracker; it also does the waiting between attempts. */
  quota: ResourceGraphQuota;
  logger: Logger;
  /** Called with each page's rows, awaited before the next page is requested. */
  onPage: (rows: Record<string, unknown>[], pageNumber: number) => Promise<void>;
}

/** Back-off for a failed page that gave no hint of its own, in milliseconds. */
function fallbackDelay(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** (attempt - 1));
}

type PageOutcome =
  | { kind: "page"; rows: Record<string, unknown>[]; skipToken: string | undefined }
  | { kind: "failed"; reason: string };

/**
 * Reads every page of a Resource Graph query over a batch of subscriptions, following
 * `$skipToken`, with bounded attempts per page. A page that still fails, or a response that is
 * malformed or truncated, ends the paging with a reason; pages already handed on stay valid.
 */
export async function readResourceGraphPages(
  options: ResourceGraphReadOptions,
): Promise<ResourceGraphReadResult> {
  let skipToken: string | undefined;
  let pageNumber = 0;

  do {
    pageNumber += 1;
    const outcome = await readOnePage(options, pageNumber, skipToken);
    if (outcome.kind === "failed") return { pages: pageNumber - 1, failure: outcome.reason };
    await options.onPage(outcome.rows, pageNumber);
    skipToken = outcome.skipToken;
  } while (skipToken);

  return { pages: pageNumber, failure: null };
}

async function readOnePage(
  options: ResourceGraphReadOptions,
  pageNumber: number,
  skipToken: string | undefined,
): Promise<PageOutcome> {
  const { client, quota, logger } = options;
  const where = `Resource Graph page ${pageNumber}`;
  let lastProblem = "no attempt was made";

  for (let attempt = 1; attempt <= options.maxAttempts; attempt += 1) {
    await quota.waitForQuota();
    try {
      const response = await client.resources(
        {
          subscriptions: options.subscriptions,
          query: options.query,
          options: {
            top: options.pageSize,
            resultFormat: "objectArray",
            ...(skipToken ? { skipToken } : {}),
          },
        },
        { onResponse: (raw) => quota.observe(raw.headers) },
      );
      return checkPage(response, where);
    } catch (error) {
      // Anything but an HTTP answer (a credential that cannot get a token, a refused TLS
      // handshake) will not get better by asking again: the page fails with the reason.
      if (!isRestError(error)) {
        return { kind: "failed", reason: `${where} failed: ${describeError(error)}` };
      }
      quota.observe(error.response?.headers);
      if (error.code === "PARSE_ERROR") {
        return { kind: "failed", reason: `${where}: the response was not valid JSON` };
      }
      lastProblem = describeError(error);
      if (!isRetryable(error)) {
        return { kind: "failed", reason: `${where} failed: ${lastProblem}` };
      }
      const delay =
        (error.statusCode === 429 ? quota.throttleDelay(error.response?.headers) : undefined) ??
        fallbackDelay(attempt);
      logger.warn(
        { page: pageNumber, attempt, status: error.statusCode, delayMs: delay },
        "resource graph page failed",
      );
      // The wait happens before the next query, whichever batch sends it.
      quota.holdFor(delay);
    }
  }

  return {
    kind: "failed",
    reason: `${where} failed after ${options.maxAttempts} attempts: ${lastProblem}`,
  };
}

/** Throttling, server errors and lost connections are worth another attempt. */
function isRetryable(error: RestError): boolean {
  const status = error.statusCode;
  return status === undefined || status === 429 || status === 408 || status >= 500;
}

function checkPage(
  response: { data?: unknown; skipToken?: string; resultTruncated?: unknown; count?: unknown },
  where: string,
): PageOutcome {
  const data: unknown = response.data;
  if (!Array.isArray(data)) {
    return { kind: "failed", reason: `${where}: the response has no \`data\` array` };
  }
  const rows = data.filter(
    (row): row is Record<string, unknown> =>
      typeof row === "object" && row !== null && !Array.isArray(row),
  );
  if (rows.length !== data.length) {
    return { kind: "failed", reason: `${where}: the response holds rows that are not objects` };
  }
  if (typeof response.count === "number" && response.count !== rows.length) {
    return {
      kind: "failed",
      reason: `${where}: the response announces ${response.count} rows but holds ${rows.length}`,
    };
  }
  // `resultTruncated` arrives as the string "true"; with a skip token it only means "more pages".
  const truncated = String(response.resultTruncated).toLowerCase() === "true";
  if (truncated && !response.skipToken) {
    return { kind: "failed", reason: `${where}: the result was truncated without a skip token` };
  }
  return { kind: "page", rows, skipToken: response.skipToken || undefined };
}
