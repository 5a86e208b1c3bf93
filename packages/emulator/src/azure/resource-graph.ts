import type { AzureDocument, Estate, JsonObject } from "../estate.js";
import { isJsonObject } from "../estate.js";
import {
  decodePageToken,
  encodePageToken,
  fingerprintQuery,
  type PageCursor,
  slicePage,
} from "../paging.js";
import type { ResolvedSettings } from "../settings.js";
import { readResourceGroup } from "./arm-ids.js";
import { AzureServiceError, badRequest } from "./azure-protocol.js";
import {
  type GraphQuery,
  graphColumnTypes,
  parseGraphQuery,
  runGraphQuery,
  UnsupportedQueryError,
} from "./resource-graph-query.js";

/** Builds the `resources` table rows of the estate once. */
export function buildGraphRows(estate: Estate, settings: ResolvedSettings): JsonObject[] {
  return estate.azure.graphDocuments.map((document) => toGraphRow(document, settings));
}

function toGraphRow(entry: AzureDocument, settings: ResolvedSettings): JsonObject {
  const document = entry.document;
  const lastSegment = entry.id.split("/").filter(Boolean).at(-1) ?? "";
  return {
    type: entry.type,
    id: entry.id,
    sku: document.sku ?? null,
    name: typeof document.name === "string" ? document.name : lastSegment,
    kind: document.kind ?? "",
    plan: document.plan ?? null,
    tags: document.tags ?? null,
    // Limitation: served as the document spells it ("Sweden Central"), where the real service
    // gives the programmatic name; estates use this to exercise region canonicalisation.
    location: document.location ?? "",
    properties: document.properties ?? null,
    resourceGroup: (readResourceGroup(entry.id) ?? "").toLowerCase(),
    subscriptionId: entry.subscriptionId,
    managedBy: document.managedBy ?? "",
    identity: document.identity ?? null,
    zones: document.zones ?? null,
    tenantId: typeof document.tenantId === "string" ? document.tenantId : settings.azure.tenantId,
    extendedLocation: document.extendedLocation ?? null,
  };
}

/** Validates and runs a `POST /providers/Microsoft.ResourceGraph/resources` body. */
export function planGraphQuery(
  body: unknown,
  estate: Estate,
): { query: GraphQuery; subscriptions: string[]; text: string; options: JsonObject } {
  if (!isJsonObject(body)) throw badRequest("The request body must be a JSON object.");
  if (typeof body.query !== "string" || body.query.trim() === "") {
    throw badRequest("The request must contain a non-empty query.");
  }
  // Limitation: only subscription scope is served; management-group scope and facets are refused
  // with 400 rather than approximated.
  if (body.managementGroups !== undefined) {
    throw badRequest(
      "The emulator serves subscription scope only; managementGroups is not supported.",
    );
  }
  if (Array.isArray(body.facets) && body.facets.length > 0) {
    throw badRequest("The emulator does not compute facets.");
  }
  const subscriptions = readSubscriptions(body.subscriptions, estate);
  const options = isJsonObject(body.options) ? body.options : {};

  let query: GraphQuery;
  try {
    query = parseGraphQuery(body.query);
  } catch (error) {
    if (error instanceof UnsupportedQueryError) {
      throw new AzureServiceError(
        400,
        "BadRequest",
        "Please provide below info when asking for support.",
        {},
        [{ code: "InvalidQuery", message: `Query is invalid: ${error.message}` }],
      );
    }
    throw error;
  }
  return { query, subscriptions, text: body.query, options };
}

/** Page `cursor` of a planned query; `applyFaults` sees the page number first. */
export function answerGraphQuery(
  plan: ReturnType<typeof planGraphQuery>,
  rows: readonly JsonObject[],
  settings: ResolvedSettings,
  applyFaults: (page: number) => void,
): JsonObject {
  const { query, subscriptions, options } = plan;
  const top = readTop(options.$top, settings.pageSize.resourceGraph);
  const resultFormat = options.resultFormat ?? "objectArray";
  if (resultFormat !== "objectArray" && resultFormat !== "table") {
    throw badRequest(`resultFormat must be objectArray or table, not ${String(resultFormat)}.`);
  }
  const scope = fingerprintQuery(
    "graph",
    plan.text,
    subscriptions.map((s) => s.toLowerCase()).sort(),
  );
  const cursor = readCursor(options, scope, top);
  applyFaults(cursor.page);

  const wanted = new Set(subscriptions.map((subscription) => subscription.toLowerCase()));
  const inScope = rows.filter((row) => wanted.has(String(row.subscriptionId).toLowerCase()));
  const result = runGraphQuery(query, inScope);
  const { page, next } = slicePage(result, cursor, top);
  // Resource Graph pages only results that carry `id`; others are cut off and flagged truncated.
  const canPage = query.columns.includes("id");
  const skipToken = next !== undefined && canPage ? encodePageToken(scope, next) : undefined;

  return {
    totalRecords: result.length,
    count: page.length,
    resultTruncated: next !== undefined && !canPage ? "true" : "false",
    ...(skipToken === undefined ? {} : { $skipToken: skipToken }),
    facets: [],
    data: resultFormat === "table" ? toTable(query.columns, page) : page,
  };
}

function readSubscriptions(value: unknown, estate: Estate): string[] {
  if (value === undefined || value === null) return estate.azure.subscriptions;
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== "string")) {
    throw badRequest("subscriptions must be a list of subscription ids.");
  }
  return value as string[];
}

/** Rows of one page: what `$top` asks for, capped by the estate's `pageSize.resourceGraph`. */
function readTop(value: unknown, pageSize: number): number {
  if (value === undefined || value === null) return pageSize;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 1000) {
    throw badRequest("options.$top must be an integer between 1 and 1000.");
  }
  return Math.min(value, pageSize);
}

function readCursor(options: JsonObject, scope: string, top: number): PageCursor {
  const token = options.$skipToken;
  if (typeof token === "string" && token !== "") {
    const cursor = decodePageToken(scope, token);
    if (cursor === undefined) throw badRequest("The $skipToken is not valid for this query.");
    return cursor;
  }
  const skip = options.$skip ?? 0;
  if (typeof skip !== "number" || !Number.isInteger(skip) || skip < 0) {
    throw badRequest("options.$skip must be a non-negative integer.");
  }
  return { offset: skip, page: Math.floor(skip / top) + 1 };
}

function toTable(columns: readonly string[], rows: readonly JsonObject[]): JsonObject {
  return {
    columns: columns.map((name) => ({ name, type: graphColumnTypes[name] ?? "string" })),
    rows: rows.map((row) => columns.map((name) => row[name] ?? null)),
  };
}

/**
 * The per-user query quota of Resource Graph, in fixed windows.
 * Limitation: the window is fixed and keyed by the bearer token, where the real service keys it
 * by the calling principal and may slide it; a 429 never carries Retry-After.
 */
export class GraphQuota {
  readonly #windows = new Map<string, { startedAt: number; used: number }>();

  constructor(
    private readonly queries: number,
    private readonly windowMs: number,
  ) {}

  /** Takes one query from the caller's window; `allowed` is false when the window is spent. */
  take(caller: string, now: number): { allowed: boolean; headers: Record<string, string> } {
    let window = this.#windows.get(caller);
    if (window === undefined || now - window.startedAt >= this.windowMs) {
      window = { startedAt: now, used: 0 };
      this.#windows.set(caller, window);
    }
    const allowed = window.used < this.queries;
    if (allowed) window.used += 1;
    return { allowed, headers: this.#headers(window, now) };
  }

  /** The quota headers of a throttled answer for the caller. */
  exhaustedHeaders(caller: string, now: number): Record<string, string> {
    const window = this.#windows.get(caller) ?? { startedAt: now, used: this.queries };
    return { ...this.#headers(window, now), "x-ms-user-quota-remaining": "0" };
  }

  #headers(window: { startedAt: number; used: number }, now: number): Record<string, string> {
    const remainingMs = Math.max(0, window.startedAt + this.windowMs - now);
    return {
      "x-ms-user-quota-remaining": String(Math.max(0, this.queries - window.used)),
      "x-ms-user-quota-resets-after": formatDuration(remainingMs),
    };
  }
}

function formatDuration(milliseconds: number): string {
  const totalSeconds = Math.ceil(milliseconds / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  return [hours, minutes, seconds].map((part) => String(part).padStart(2, "0")).join(":");
}
