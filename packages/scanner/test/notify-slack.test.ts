import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { openStore, type Store, tables } from "@plumbline/store";
import { createTestDatabase, type TestDatabase } from "@plumbline/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  deliverPendingAlerts,
  findingPageId,
  getChannelStates,
  resetChannel,
} from "../src/index.js";
import {
  alertItem,
  createCapturedLogger,
  insertAlertBatch,
  manualClock,
  recordingSleep,
  type SlackReceiver,
  startSlackReceiver,
} from "./notify-support.js";

const dashboardUrl = "http://127.0.0.1:8080";
const packageRoot = fileURLToPath(new URL("../", import.meta.url));
const workerScript = fileURLToPath(new URL("./notify-worker-process.ts", import.meta.url));
const minute = 60_000;

let database: TestDatabase;
let store: Store;
let receiver: SlackReceiver;

beforeAll(async () => {
  database = await createTestDatabase("notify");
  store = await openStore({ url: database.url });
});

afterAll(async () => {
  await store?.close();
  await database?.drop();
});

beforeEach(async () => {
  await store.database.execute(
    sql`truncate table outbox, notification_channels, findings, scans restart identity cascade`,
  );
  receiver = await startSlackReceiver();
});

afterEach(async () => {
  await receiver.close();
});

function deliveryOptions(overrides: Partial<Parameters<typeof deliverPendingAlerts>[0]> = {}) {
  return {
    store,
    channel: "slack" as const,
    webhookUrl: receiver.url,
    dashboardUrl,
    logger: createCapturedLogger().logger,
    sleep: recordingSleep().sleep,
    ...overrides,
  };
}

async function outboxRows() {
  return store.database.select().from(tables.outbox).orderBy(tables.outbox.id);
}

describe("deliverPendingAlerts", () => {
  it("sends one message per batch and marks each delivered", async () => {
    const clock = manualClock("2026-12-03T10:05:00.000Z");
    const first = await insertAlertBatch(store, [
      alertItem({ eventId: 1 }),
      alertItem({ eventId: 2, tenant: "platform", severity: "critical", control: "kv.purge" }),
    ]);
    const second = await insertAlertBatch(store, [alertItem({ eventId: 3, kind: "reopened" })]);
    const third = await insertAlertBatch(store, [alertItem({ eventId: 4, kind: "resolved" })]);

    const result = await deliverPendingAlerts(deliveryOptions({ now: clock.now }));

    expect(result).toEqual({ delivered: 3, pending: 0, channelState: "ok" });
    expect(receiver.requests.map((request) => request.batchId)).toEqual([
      first.batchId,
      second.batchId,
      third.batchId,
    ]);
    const firstMessage = JSON.stringify(receiver.requests[0]?.body);
    const id = findingPageId("platform", "kv.purge", alertItem().subjectKey);
    expect(firstMessage).toContain(`${dashboardUrl}/#/findings/${id}|kv.purge>`);
    expect(receiver.requests[0]?.body.text).toBe(
      "Plumbline: 2 compliance alerts (critical 1 · high 1) for platform, retail",
    );
    for (const row of await outboxRows()) {
      expect(row.deliveredAt).toEqual(clock.now());
      expect(row.attempts).toBe(1);
      expect(row.lastError).toBeNull();
    }
    const [channel] = await getChannelStates(store);
    expect(channel).toMatchObject({ channel: "slack", state: "ok", pending: 0 });
    expect(channel?.lastDeliveredAt).toEqual(clock.now());

    const again = await deliverPendingAlerts(deliveryOptions({ now: clock.now }));
    expect(again).toEqual({ delivered: 0, pending: 0, channelState: "ok" });
    expect(receiver.requests).toHaveLength(3);
  });

  it("waits for Retry-After after a 429 and then delivers", async () => {
    const batch = await insertAlertBatch(store, [alertItem()]);
    receiver.script({ status: 429, body: "rate_limited", headers: { "retry-after": "7" } });
    const sleep = recordingSleep();

    const result = await deliverPendingAlerts(deliveryOptions({ sleep: sleep.sleep }));

    expect(result).toEqual({ delivered: 1, pending: 0, channelState: "ok" });
    expect(sleep.waits).toEqual([7000]);
    expect(receiver.requests.map((request) => request.batchId)).toEqual([
      batch.batchId,
      batch.batchId,
    ]);
  });

  it("postpones a batch Slack asks to hold back longer than it waits in one run", async () => {
    const clock = manualClock("2026-12-03T10:05:00.000Z");
    await insertAlertBatch(store, [alertItem()]);
    receiver.script({ status: 429, body: "rate_limited", headers: { "retry-after": "600" } });

    const result = await deliverPendingAlerts(deliveryOptions({ now: clock.now }));

    expect(result).toEqual({ delivered: 0, pending: 1, channelState: "ok" });
    expect(receiver.requests).toHaveLength(1);
    const [row] = await outboxRows();
    expect(row?.nextAttemptAt).toEqual(new Date(clock.now().getTime() + 600_000));
    expect(row?.lastError).toBe("HTTP 429 rate_limited");
  });

  it("retries 5xx with exponential backoff, then leaves the batch pending for later", async () => {
    const clock = manualClock("2026-12-03T10:05:00.000Z");
    const batch = await insertAlertBatch(store, [alertItem()]);
    receiver.script(
      { status: 503, body: "service_unavailable" },
      { status: 502, body: "bad_gateway" },
      { status: 500, body: "internal_error" },
      { status: 503, body: "service_unavailable" },
    );
    const sleep = recordingSleep();
    const captured = createCapturedLogger();

    const result = await deliverPendingAlerts(
      deliveryOptions({ now: clock.now, sleep: sleep.sleep, logger: captured.logger }),
    );

    expect(result).toEqual({ delivered: 0, pending: 1, channelState: "ok" });
    expect(receiver.requests).toHaveLength(4);
    expect(sleep.waits).toEqual([1000, 2000, 4000]);
    const [row] = await outboxRows();
    expect(row?.deliveredAt).toBeNull();
    expect(row?.lastError).toBe("HTTP 503 service_unavailable");
    expect(row?.nextAttemptAt).toEqual(new Date(clock.now().getTime() + minute));
    expect(captured.lines().filter((line) => line.level === 40)).toHaveLength(1);

    clock.advance(30_000);
    await deliverPendingAlerts(deliveryOptions({ now: clock.now }));
    expect(receiver.requests).toHaveLength(4);

    clock.advance(30_000);
    const later = await deliverPendingAlerts(deliveryOptions({ now: clock.now }));
    expect(later).toEqual({ delivered: 1, pending: 0, channelState: "ok" });
    expect(receiver.requests.at(-1)?.batchId).toBe(batch.batchId);
    expect((await outboxRows())[0]).toMatchObject({ attempts: 2, lastError: null });
  });

  it("retries when nothing answers, and delivers once the endpoint is back", async () => {
    await insertAlertBatch(store, [alertItem()]);
    const closedUrl = receiver.url;
    await receiver.close();
    const sleep = recordingSleep();

    const result = await deliverPendingAlerts(
      deliveryOptions({ webhookUrl: closedUrl, sleep: sleep.sleep }),
    );

    expect(result).toEqual({ delivered: 0, pending: 1, channelState: "ok" });
    expect(sleep.waits).toEqual([1000, 2000, 4000]);
    const [row] = await outboxRows();
    expect(row?.lastError).toMatch(/^network error: .*ECONNREFUSED/);
    receiver = await startSlackReceiver();
  });

  it("marks the channel broken on 404 without retrying and keeps the alerts pending", async () => {
    const clock = manualClock("2026-12-03T10:05:00.000Z");
    const first = await insertAlertBatch(store, [alertItem({ eventId: 1 })]);
    await insertAlertBatch(store, [alertItem({ eventId: 2 })]);
    receiver.script({ status: 404, body: "no_service" });
    const sleep = recordingSleep();
    const captured = createCapturedLogger();

    const result = await deliverPendingAlerts(
      deliveryOptions({ now: clock.now, sleep: sleep.sleep, logger: captured.logger }),
    );

    expect(result).toEqual({ delivered: 0, pending: 2, channelState: "broken" });
    expect(receiver.requests).toHaveLength(1);
    expect(sleep.waits).toEqual([]);
    const rows = await outboxRows();
    expect(rows.map((row) => row.deliveredAt)).toEqual([null, null]);
    expect(rows[0]).toMatchObject({ lastError: "HTTP 404 no_service", nextAttemptAt: null });
    expect(await getChannelStates(store)).toEqual([
      {
        channel: "slack",
        state: "broken",
        reason: "HTTP 404 no_service",
        changedAt: clock.now(),
        lastDeliveredAt: null,
        pending: 2,
      },
    ]);

    clock.advance(60 * minute);
    const whileBroken = await deliverPendingAlerts(
      deliveryOptions({ now: clock.now, logger: captured.logger }),
    );
    expect(whileBroken).toEqual({ delivered: 0, pending: 2, channelState: "broken" });
    expect(receiver.requests).toHaveLength(1);
    const warnings = captured.lines().filter((line) => line.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ reason: "HTTP 404 no_service", channel: "slack" });

    await resetChannel(store, "slack", { now: clock.now });
    const afterReset = await deliverPendingAlerts(deliveryOptions({ now: clock.now }));
    expect(afterReset).toEqual({ delivered: 2, pending: 0, channelState: "ok" });
    expect(receiver.requests[1]?.batchId).toBe(first.batchId);
  });

  it("treats 403 and 400 invalid_payload as refusals too", async () => {
    for (const refusal of [
      { status: 403, body: "invalid_token" },
      { status: 400, body: "invalid_payload" },
    ]) {
      await resetChannel(store, "slack");
      await insertAlertBatch(store, [alertItem()]);
      receiver.script(refusal);
      const before = receiver.requests.length;

      const result = await deliverPendingAlerts(deliveryOptions());

      expect(result.channelState).toBe("broken");
      expect(receiver.requests.length - before).toBe(1);
      const [state] = await getChannelStates(store);
      expect(state?.reason).toBe(`HTTP ${refusal.status} ${refusal.body}`);
    }
  });

  it("sends a batch again after a crash between sending and marking, exactly once more", async () => {
    const clock = manualClock("2026-12-03T10:05:00.000Z");
    const batch = await insertAlertBatch(store, [alertItem()]);
    const crash = async () => {
      throw new Error("worker died after Slack accepted the batch");
    };

    await expect(
      deliverPendingAlerts(deliveryOptions({ now: clock.now, afterSend: crash })),
    ).rejects.toThrow("worker died");
    expect(receiver.requests).toHaveLength(1);
    expect((await outboxRows())[0]?.deliveredAt).toBeNull();

    // Another worker right away: the batch is still leased to the one that died.
    clock.advance(minute);
    const tooSoon = await deliverPendingAlerts(deliveryOptions({ now: clock.now }));
    expect(tooSoon).toEqual({ delivered: 0, pending: 1, channelState: "ok" });
    expect(receiver.requests).toHaveLength(1);

    clock.advance(10 * minute);
    const afterLease = await deliverPendingAlerts(deliveryOptions({ now: clock.now }));
    expect(afterLease).toEqual({ delivered: 1, pending: 0, channelState: "ok" });
    const deliveredAt = clock.now();

    clock.advance(60 * minute);
    await deliverPendingAlerts(deliveryOptions({ now: clock.now }));
    expect(receiver.requests.map((request) => request.batchId)).toEqual([
      batch.batchId,
      batch.batchId,
    ]);
    expect((await outboxRows())[0]).toMatchObject({ attempts: 2, deliveredAt });
  });

  it("sends a batch again after the worker process is killed mid-delivery", async () => {
    const batch = await insertAlertBatch(store, [alertItem()]);
    const worker = spawn(process.execPath, ["--import", "tsx", workerScript], {
      cwd: packageRoot,
      env: { ...process.env, NOTIFY_DATABASE_URL: database.url, NOTIFY_WEBHOOK_URL: receiver.url },
      stdio: ["ignore", "ignore", "pipe"],
    });
    // Slack has the message; the worker dies before it hears back, let alone marks it.
    receiver.onRequest = () => worker.kill("SIGKILL");
    receiver.script({ status: 200, body: "ok", delayMs: 200 });

    let stderr = "";
    worker.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [, signal] = await once(worker, "exit");
    receiver.onRequest = undefined;

    expect(signal, stderr).toBe("SIGKILL");
    expect(receiver.requests.map((request) => request.batchId)).toEqual([batch.batchId]);
    const [claimed] = await outboxRows();
    expect(claimed).toMatchObject({ attempts: 1, deliveredAt: null });
    const leaseEnd = claimed?.nextAttemptAt?.getTime() ?? 0;

    const early = await deliverPendingAlerts(deliveryOptions());
    expect(early.delivered).toBe(0);
    const late = await deliverPendingAlerts(
      deliveryOptions({ now: () => new Date(leaseEnd + 1000) }),
    );
    expect(late).toEqual({ delivered: 1, pending: 0, channelState: "ok" });
    expect(receiver.requests.map((request) => request.batchId)).toEqual([
      batch.batchId,
      batch.batchId,
    ]);
  });

  it("lets concurrent runs share the outbox without sending any batch twice", async () => {
    const batches = [];
    for (let index = 0; index < 8; index += 1) {
      batches.push(await insertAlertBatch(store, [alertItem({ eventId: index })]));
    }
    receiver.script(...batches.map(() => ({ status: 200, body: "ok", delayMs: 40 })));
    const otherStore = await openStore({ url: database.url });

    try {
      const results = await Promise.all([
        deliverPendingAlerts(deliveryOptions()),
        deliverPendingAlerts(deliveryOptions({ store: otherStore })),
      ]);

      expect(results[0].delivered + results[1].delivered).toBe(8);
      expect(results[0].delivered).toBeGreaterThan(0);
      expect(results[1].delivered).toBeGreaterThan(0);
    } finally {
      await otherStore.close();
    }
    const sent = receiver.requests.map((request) => request.batchId).sort();
    expect(sent).toEqual(batches.map((batch) => batch.batchId).sort());
  });

  it("claims no new batch once a run has used its time budget", async () => {
    const clock = manualClock("2026-12-03T10:05:00.000Z");
    for (let index = 0; index < 3; index += 1) {
      await insertAlertBatch(store, [alertItem({ eventId: index })]);
    }
    const slowDown = { status: 429, body: "rate_limited", headers: { "retry-after": "25" } };
    receiver.script(slowDown, { status: 200 }, slowDown, { status: 200 }, slowDown);
    const sleep = async (ms: number) => clock.advance(ms);

    const result = await deliverPendingAlerts(
      deliveryOptions({ now: clock.now, sleep, retry: { runBudgetMs: 40_000 } }),
    );

    expect(result).toEqual({ delivered: 2, pending: 1, channelState: "ok" });
    expect(receiver.requests).toHaveLength(4);
  });

  it("sets aside a batch whose payload does not parse and delivers the others", async () => {
    await store.database.insert(tables.outbox).values({
      channel: "slack",
      batchId: randomUUID(),
      createdAt: new Date(),
      payload: { items: "not a list" },
    });
    const good = await insertAlertBatch(store, [alertItem()]);

    const result = await deliverPendingAlerts(deliveryOptions());

    expect(result).toEqual({ delivered: 1, pending: 1, channelState: "ok" });
    expect(receiver.requests.map((request) => request.batchId)).toEqual([good.batchId]);
    const [invalid] = await outboxRows();
    expect(invalid?.lastError).toMatch(/^invalid alert payload: \d+ issue/);
    expect(invalid?.deliveredAt).toBeNull();
  });

  it("sends a batch of more than twenty items as one digest within Slack's limits", async () => {
    const items = Array.from({ length: 45 }, (_, index) =>
      alertItem({
        eventId: index,
        tenant: `tenant-${index % 4}`,
        severity: index % 5 === 0 ? "critical" : "high",
        control: `control.number-${index}`,
        resource: `resource-${index}-${"&<>".repeat(500)}`,
      }),
    );
    await insertAlertBatch(store, items);

    await deliverPendingAlerts(deliveryOptions());

    expect(receiver.requests).toHaveLength(1);
    const body = receiver.requests[0]?.body;
    const blocks = body?.blocks ?? [];
    expect(body?.text).toMatch(/^Plumbline: 45 compliance alerts/);
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(blocks[0]).toMatchObject({
      type: "header",
      text: { text: "Plumbline digest: 45 compliance alerts" },
    });
    for (const block of blocks) {
      const text = (block.text as { text?: string } | undefined)?.text ?? "";
      expect(text.length).toBeLessThanOrEqual(block.type === "header" ? 150 : 3000);
    }
    expect(JSON.stringify(blocks)).toContain("critical 9 · high 36");
  });

  it("never sends an item about a finding that was stale in the batch's scan", async () => {
    const [scan] = await store.database
      .insert(tables.scans)
      .values({ startedAt: new Date(), trigger: "test", kind: "evaluation", owner: "retail" })
      .returning({ id: tables.scans.id });
    const scanId = scan?.id ?? randomUUID();
    const staleItem = alertItem({ eventId: 1, control: "kv.purge", subjectKey: "vault-1" });
    const freshItem = alertItem({ eventId: 2, control: "kv.purge", subjectKey: "vault-2" });
    await store.database.insert(tables.findings).values(
      [staleItem, freshItem].map((item) => ({
        scanId,
        tenant: item.tenant,
        control: item.control,
        subjectKey: item.subjectKey,
        resource: item.resource,
        status: "fail" as const,
        severity: item.severity,
        message: item.message,
        evidence: [],
        stale: item === staleItem,
        staleReason: item === staleItem ? "collection partial" : null,
      })),
    );
    await insertAlertBatch(store, [staleItem, freshItem], { scanId });
    const onlyStale = await insertAlertBatch(store, [staleItem], { scanId });

    const result = await deliverPendingAlerts(deliveryOptions());

    expect(result).toEqual({ delivered: 1, pending: 0, channelState: "ok" });
    expect(receiver.requests).toHaveLength(1);
    const sent = JSON.stringify(receiver.requests[0]?.body);
    expect(sent).toContain(findingPageId("retail", "kv.purge", "vault-2"));
    expect(sent).not.toContain(findingPageId("retail", "kv.purge", "vault-1"));
    const [skipped] = await store.database
      .select()
      .from(tables.outbox)
      .where(eq(tables.outbox.batchId, onlyStale.batchId));
    expect(skipped?.deliveredAt).not.toBeNull();
  });

  it("keeps the webhook URL out of logs, errors and the database", async () => {
    const clock = manualClock("2026-12-03T10:05:00.000Z");
    const captured = createCapturedLogger();
    // A relay that echoes the path it was called on, as some proxies do.
    const echo = (status: number) => ({
      status,
      body: `${status} at ${new URL(receiver.url).pathname}`,
    });
    await insertAlertBatch(store, [alertItem({ eventId: 1 })]);
    receiver.script(echo(503), echo(503), echo(503), echo(503));
    await deliverPendingAlerts(deliveryOptions({ now: clock.now, logger: captured.logger }));

    // The fetch implementation refuses a URL with credentials with a message quoting it.
    const withCredentials = receiver.url.replace("http://", "http://hook:pw@");
    clock.advance(2 * minute);
    await deliverPendingAlerts(
      deliveryOptions({ now: clock.now, logger: captured.logger, webhookUrl: withCredentials }),
    );
    const credentialRow = (await outboxRows())[0];
    expect(credentialRow?.lastError).toContain("[webhook]");

    clock.advance(10 * minute);
    receiver.script(echo(404));
    const result = await deliverPendingAlerts(
      deliveryOptions({ now: clock.now, logger: captured.logger }),
    );
    expect(result.channelState).toBe("broken");

    const stored = JSON.stringify({
      outbox: await outboxRows(),
      channels: await store.database.select().from(tables.notificationChannels),
      states: await getChannelStates(store),
    });
    expect(stored).toContain("HTTP 404 404 at [webhook]");
    expect(captured.text()).toContain("[webhook]");
    for (const secret of receiver.secrets) {
      expect(captured.text()).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }
    expect(captured.lines().every((line) => typeof line.webhook === "string")).toBe(true);
  });
});
