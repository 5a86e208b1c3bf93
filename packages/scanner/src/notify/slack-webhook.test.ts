import { describe, expect, it } from "vitest";
import { parseRetryAfter, scrubWebhookUrl, webhookFingerprint } from "./slack-webhook.js";

const webhookUrl = "https://hooks.slack.com/services/T012AB3C4/B0DEF5GH6/xYz0s3cretT0ken9";

describe("parseRetryAfter", () => {
  it("reads delay-seconds as milliseconds", () => {
    expect(parseRetryAfter("30")).toBe(30_000);
    expect(parseRetryAfter(" 0 ")).toBe(0);
  });

  it("reads an HTTP date as the time left until it", () => {
    const now = new Date("2026-12-03T10:00:00.000Z");

    expect(parseRetryAfter("Thu, 03 Dec 2026 10:00:45 GMT", now)).toBe(45_000);
    expect(parseRetryAfter("Thu, 03 Dec 2026 09:00:00 GMT", now)).toBe(0);
  });

  it("gives nothing for a missing or unreadable header", () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("")).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});

describe("scrubWebhookUrl", () => {
  it("removes the URL, its path and each secret segment wherever they appear", () => {
    const text = [
      `posting to ${webhookUrl} failed`,
      "path /services/T012AB3C4/B0DEF5GH6/xYz0s3cretT0ken9 echoed",
      "token xYz0s3cretT0ken9 alone",
    ].join("; ");

    const scrubbed = scrubWebhookUrl(text, webhookUrl);

    expect(scrubbed).toBe(
      "posting to [webhook] failed; path [webhook] echoed; token [webhook] alone",
    );
  });

  it("removes a string that is not a URL at all", () => {
    expect(scrubWebhookUrl("bad value not-a-url-secret", "not-a-url-secret")).toBe(
      "bad value [webhook]",
    );
  });

  it("leaves text without the URL untouched", () => {
    expect(scrubWebhookUrl("HTTP 404 no_service", webhookUrl)).toBe("HTTP 404 no_service");
  });
});

describe("webhookFingerprint", () => {
  it("is short, stable and reveals nothing of the URL", () => {
    const fingerprint = webhookFingerprint(webhookUrl);

    expect(fingerprint).toMatch(/^[0-9a-f]{12}$/);
    expect(webhookFingerprint(webhookUrl)).toBe(fingerprint);
    expect(webhookUrl).not.toContain(fingerprint);
  });
});
