import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import type { AlertBatch, AlertItem } from "@plumbline/rules";
import { type Store, tables } from "@plumbline/store";
import { type Logger, pino } from "pino";

/** One scripted answer of the receiver; requests beyond the script get 200 `ok`. */
export interface ScriptedResponse {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Answer after this many milliseconds, to make concurrent senders overlap. */
  delayMs?: number;
}

/** A request the receiver saw, with its JSON body. */
export interface ReceivedRequest {
  path: string;
  body: { text?: string; blocks?: Array<Record<string, unknown>> };
  /** The batch id the message names in its context line. */
  batchId: string | undefined;
}

/** A local stand-in for Slack's incoming webhook endpoint. */
export interface SlackReceiver {
  /** The webhook URL, with a distinctive secret path. */
  url: string;
  /** The secret parts of the URL, to look for where they must not appear. */
  secrets: string[];
  requests: ReceivedRequest[];
  script(...responses: ScriptedResponse[]): void;
  /** Runs when a request has been read, before it is answered. */
  onRequest: ((request: ReceivedRequest) => void) | undefined;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function startSlackReceiver(): Promise<SlackReceiver> {
  const secret = `s3cr3t${randomBytes(8).toString("hex")}`;
  const path = `/services/T0PLUMBLINE/B0ALERTS/${secret}`;
  const queue: ScriptedResponse[] = [];
  const requests: ReceivedRequest[] = [];

  const server: Server = createServer((request, response) => {
    void (async () => {
      const text = await readBody(request);
      const body = JSON.parse(text) as ReceivedRequest["body"];
      const received = {
        path: request.url ?? "",
        body,
        batchId: /batch ([0-9a-f-]{36})/.exec(text)?.[1],
      };
      requests.push(received);
      receiver.onRequest?.(received);
      const answer = queue.shift() ?? { status: 200, body: "ok" };
      if (answer.delayMs !== undefined) {
        await new Promise((done) => setTimeout(done, answer.delayMs));
      }
      response.writeHead(answer.status, { "content-type": "text/plain", ...answer.headers });
      response.end(answer.body ?? "");
    })();
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;

  const receiver: SlackReceiver = {
    url: `http://127.0.0.1:${port}${path}`,
    secrets: [secret, path, "T0PLUMBLINE", "B0ALERTS"],
    requests,
    onRequest: undefined,
    script: (...responses) => {
      queue.push(...responses);
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
  return receiver;
}

/** A pino logger whose every line is kept, to check what was logged and what never was. */
export function createCapturedLogger(): {
  logger: Logger;
  lines: () => Array<Record<string, unknown>>;
  text: () => string;
} {
  let captured = "";
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      captured += chunk.toString();
      done();
    },
  });
  const logger = pino({ level: "debug" }, stream);
  return {
    logger,
    text: () => captured,
    lines: () =>
      captured
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

export function alertItem(overrides: Partial<AlertItem> = {}): AlertItem {
  return {
    eventId: 1,
    kind: "opened",
    tenant: "retail",
    control: "storage.public-network-access",
    controlTitle: "Storage accounts refuse public network access",
    severity: "high",
    resource: "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1",
    subjectKey:
      "/subscriptions/s1/resourcegroups/rg/providers/microsoft.storage/storageaccounts/st1",
    provider: "azure",
    account: "s1",
    region: "westeurope",
    message: "Storage account st1 allows public network access; expected it disabled",
    before: "pass",
    after: "fail",
    at: "2026-12-03T10:00:00.000Z",
    ...overrides,
  };
}

/** Writes an outbox row the way an evaluation does, and returns its batch. */
export async function insertAlertBatch(
  store: Store,
  items: AlertItem[],
  options: { scanId?: string | null; createdAt?: Date } = {},
): Promise<AlertBatch> {
  const createdAt = options.createdAt ?? new Date("2026-12-03T10:00:00.000Z");
  const batch: AlertBatch = {
    batchId: randomUUID(),
    scanId: options.scanId ?? null,
    createdAt: createdAt.toISOString(),
    items,
  };
  await store.database.insert(tables.outbox).values({
    channel: "slack",
    batchId: batch.batchId,
    createdAt,
    payload: batch as unknown as Record<string, unknown>,
  });
  return batch;
}

/** A clock the test moves by hand. */
export function manualClock(start: string): { now: () => Date; advance: (ms: number) => void } {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advance: (ms) => {
      current += ms;
    },
  };
}

/** A sleep that returns at once and remembers each wait, in milliseconds. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms) => {
      waits.push(ms);
    },
  };
}
