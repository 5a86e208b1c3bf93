import type { ArmRequester } from "./clients.js";

/** One page of an ARM list: its documents and the link to the next page, if any. */
export interface ArmListPage {
  value: Record<string, unknown>[];
  /** Absolute URL of the next page; null on the last page (ARM sends it absent or null). */
  nextLink: string | null;
}

/**
 * Parses an ARM list body (`{"value": [...], "nextLink": ...}`); throws an error naming
 * `operation` when the body is not such a list.
 */
export function parseArmListBody(bodyText: string, operation: string): ArmListPage {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    throw new Error(`${operation}: the response was not valid JSON`);
  }
  if (
    typeof body !== "object" ||
    body === null ||
    !Array.isArray((body as { value?: unknown }).value)
  ) {
    throw new Error(`${operation}: the response has no \`value\` array`);
  }
  const { value, nextLink } = body as { value: unknown[]; nextLink?: unknown };
  const documents = value.filter(
    (item): item is Record<string, unknown> =>
      typeof item === "object" && item !== null && !Array.isArray(item),
  );
  if (documents.length !== value.length) {
    throw new Error(`${operation}: the list holds entries that are not objects`);
  }
  return { value: documents, nextLink: typeof nextLink === "string" && nextLink ? nextLink : null };
}

/**
 * Reads an ARM list through the generic requester, following `nextLink` (absent or null on the
 * last page), handing each page to `onPage` before the next one is requested.
 */
export async function readArmList(
  arm: ArmRequester,
  path: string,
  onPage: (documents: Record<string, unknown>[]) => Promise<void>,
): Promise<void> {
  let next: string | null = path;
  let pageNumber = 0;
  while (next !== null) {
    pageNumber += 1;
    const response = await arm.get(next);
    const operation = `GET ${path.split("?")[0]} page ${pageNumber}`;
    if (response.status !== 200) {
      throw new Error(
        `${operation} answered ${response.status}: ${summariseBody(response.bodyText)}`,
      );
    }
    const body = parseArmListBody(response.bodyText, operation);
    await onPage(body.value);
    next = body.nextLink;
  }
}

/** The error code and message of an ARM error body, or the start of the text. */
function summariseBody(bodyText: string): string {
  try {
    const body = JSON.parse(bodyText) as { error?: { code?: unknown; message?: unknown } };
    if (body.error) return `${String(body.error.code)}: ${String(body.error.message)}`;
  } catch {
    // Not JSON: fall through to the text itself.
  }
  return bodyText.slice(0, 200);
}
