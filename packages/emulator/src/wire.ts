import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

/** A complete HTTP answer, built before it is written so faults can still alter it. */
export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Request bodies larger than this are refused (the real services cap them far lower). */
const maximumBodyBytes = 10 * 1024 * 1024;

/** Reads the whole request body as UTF-8; undefined when it is larger than the cap. */
export async function readRequestBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maximumBodyBytes) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A JSON answer with the given status and extra headers. */
export function jsonResponse(
  status: number,
  body: unknown,
  contentType: string,
  headers: Record<string, string> = {},
): WireResponse {
  return {
    status,
    headers: { "content-type": contentType, ...headers },
    body: JSON.stringify(body),
  };
}

/** The same answer with its body cut in half: a 200 whose JSON cannot be parsed. */
export function truncateResponse(response: WireResponse): WireResponse {
  const body = response.body.slice(0, Math.max(1, Math.floor(response.body.length / 2)));
  return { ...response, body };
}

/** Writes the answer after the configured latency. */
export async function writeResponse(
  response: ServerResponse,
  answer: WireResponse,
  latencyMs: number,
): Promise<void> {
  if (latencyMs > 0) await sleep(latencyMs);
  const body = Buffer.from(answer.body, "utf8");
  response.writeHead(answer.status, { ...answer.headers, "content-length": String(body.length) });
  response.end(body);
}
