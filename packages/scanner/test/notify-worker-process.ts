// A notify worker in a process of its own, so a test can kill it mid-delivery.
import { openStore } from "@plumbline/store";
import { pino } from "pino";
import { deliverPendingAlerts } from "../src/notify/index.js";

const { NOTIFY_DATABASE_URL, NOTIFY_WEBHOOK_URL } = process.env;
if (NOTIFY_DATABASE_URL === undefined || NOTIFY_WEBHOOK_URL === undefined) {
  throw new Error("NOTIFY_DATABASE_URL and NOTIFY_WEBHOOK_URL are required");
}

const store = await openStore({ url: NOTIFY_DATABASE_URL });
await deliverPendingAlerts({
  store,
  channel: "slack",
  webhookUrl: NOTIFY_WEBHOOK_URL,
  dashboardUrl: "http://127.0.0.1:8080",
  logger: pino({ level: "silent" }),
});
await store.close();
