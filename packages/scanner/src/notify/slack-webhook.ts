import { createHash } from "node:crypto";
import { type FetchFunction, IncomingWebhook, IncomingWebhookHTTPError } from "@slack/webhook";
import type { SlackMessage } from "./render-slack-message.js";

/**
 * How one attempt to post a message ended:
 * - `sent`: Slack accepted it;
 * - `rate-limited`: HTTP 429; wait `retryAfterMs` (from `Retry-After`, when given) and retry;
 * - `transient`: a 5xx or no answer at all; retrying later may work;
 * - `refused`: any other 4xx (revoked webhook, bad payload); retrying cannot help.
 * Every `reason` has the webhook URL removed.
 */
export type SendOutcome =
  | { kind: "sent" }
  | { kind: "rate-limited"; retryAfterMs: number | undefined; reason: string }
  | { kind: "transient"; reason: string }
  | { kind: "refused"; status: number; reason: string };

/** Posts messages to one incoming webhook and reports how each attempt ended, never throwing. */
export interface SlackWebhookSender {
  send(message: SlackMessage): Promise<SendOutcome>;
}

/**
 * Time allowed for one request before it counts as a network failure.
 * Limitation: a message that Slack received but answered only after this long is sent again by
 * the retry; incoming webhooks take no idempotency key that would let Slack drop the copy.
 */
const requestTimeoutMs = 15_000;

/** Creates a sender for a webhook URL; the URL stays inside it and out of every reason. */
export function createSlackWebhookSender(webhookUrl: string): SlackWebhookSender {
  // The library drops the response headers from its errors; keep `Retry-After` on the way past.
  let retryAfter: string | null = null;
  const fetchKeepingRetryAfter: FetchFunction = async (url, init) => {
    const response = await fetch(url, init);
    retryAfter = response.headers.get("retry-after");
    return response;
  };
  // Retries are ours, so that 429s and the backoff follow one policy with an injectable clock.
  const webhook = new IncomingWebhook(webhookUrl, {
    fetch: fetchKeepingRetryAfter,
    timeout: requestTimeoutMs,
    retryConfig: { retries: 0 },
  });

  return {
    async send(message) {
      retryAfter = null;
      try {
        await webhook.send({ text: message.text, blocks: message.blocks });
        return { kind: "sent" };
      } catch (error) {
        return classifyFailure(error, retryAfter, webhookUrl);
      }
    },
  };
}

function classifyFailure(
  error: unknown,
  retryAfter: string | null,
  webhookUrl: string,
): SendOutcome {
  if (error instanceof IncomingWebhookHTTPError) {
    const body = scrubWebhookUrl(String(error.body ?? "").slice(0, 200), webhookUrl).trim();
    const reason = scrubWebhookUrl(
      `HTTP ${error.statusCode}${body === "" ? "" : ` ${body}`}`,
      webhookUrl,
    );
    if (error.statusCode === 429) {
      return { kind: "rate-limited", retryAfterMs: parseRetryAfter(retryAfter), reason };
    }
    if (error.statusCode >= 500) {
      return { kind: "transient", reason };
    }
    return { kind: "refused", status: error.statusCode, reason };
  }
  return { kind: "transient", reason: scrubWebhookUrl(describeNetworkError(error), webhookUrl) };
}

/** Names a failure without a response: the error's message and the system code beneath it. */
function describeNetworkError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  // The library wraps fetch's error, which wraps the socket's; the code sits at the bottom.
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && !code.startsWith("slack_")) {
      parts.push(code);
    }
    current = current.cause;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `network error: ${message}${parts.length > 0 ? ` (${[...new Set(parts)].join(", ")})` : ""}`;
}

/**
 * Reads `Retry-After`: delay-seconds, or an HTTP date. Returns milliseconds, or undefined when
 * the header is absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: Date = new Date()): number | undefined {
  if (value === null || value.trim() === "") {
    return undefined;
  }
  if (/^\d+$/.test(value.trim())) {
    return Number(value.trim()) * 1000;
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

/**
 * Removes the webhook URL, its path and each secret path segment from a text. Slack's URL is
 * `https://hooks.slack.com/services/T…/B…/<secret>`: the path is the credential.
 */
export function scrubWebhookUrl(text: string, webhookUrl: string): string {
  const secrets = new Set<string>([webhookUrl]);
  try {
    const url = new URL(webhookUrl);
    secrets.add(url.href);
    const pathAndQuery = `${url.pathname}${url.search}`;
    if (pathAndQuery.length > 1) {
      secrets.add(pathAndQuery);
      secrets.add(decodeSafely(pathAndQuery));
    }
    for (const segment of url.pathname.split("/").slice(2)) {
      // The first segment (`services`) names the API; the rest identify and authorise.
      if (segment.length >= 4) {
        secrets.add(segment);
        secrets.add(decodeSafely(segment));
      }
    }
  } catch {
    // Not a URL: the raw string is all there is to remove.
  }
  let scrubbed = text;
  for (const secret of [...secrets].sort((left, right) => right.length - left.length)) {
    if (secret !== "") {
      scrubbed = scrubbed.replaceAll(secret, "[webhook]");
    }
  }
  return scrubbed;
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A short, stable name for a webhook URL for logs: a hash prefix, which reveals nothing. */
export function webhookFingerprint(webhookUrl: string): string {
  return createHash("sha256").update(webhookUrl).digest("hex").slice(0, 12);
}
