import { describe, expect, it } from "vitest";
import {
  inventoryQueueOf,
  JobPayloadError,
  jobCatalogue,
  jobOfQueue,
  parseJobPayload,
  QUEUE_NAMES,
  retryOptionsOf,
} from "./catalogue.js";

describe("the job catalogue", () => {
  it("names every job with a bounded number of attempts, a backoff and a timeout", () => {
    for (const [name, definition] of Object.entries(jobCatalogue)) {
      expect(definition.name).toBe(name);
      expect(definition.attempts).toBeGreaterThanOrEqual(1);
      expect(definition.backoff.delayMs).toBeGreaterThan(0);
      expect(definition.timeoutMs).toBeGreaterThan(0);
      expect(definition.description.length).toBeGreaterThan(10);
    }
    expect(Object.keys(jobCatalogue).sort()).toEqual([
      "discover",
      "evaluate",
      "inventory",
      "notify",
    ]);
  });

  it("gives each cloud its own inventory queue and every other job a queue of its name", () => {
    expect(inventoryQueueOf("azure")).toBe("inventory-azure");
    expect(inventoryQueueOf("aws")).toBe("inventory-aws");
    expect(QUEUE_NAMES.map(jobOfQueue)).toEqual([
      "inventory",
      "inventory",
      "evaluate",
      "notify",
      "discover",
    ]);
  });

  it("turns the catalogue's backoff into BullMQ's retry options", () => {
    expect(retryOptionsOf("inventory")).toEqual({
      attempts: 3,
      backoff: { type: "exponential", delay: 30_000 },
    });
  });

  it("parses a valid inventory payload unchanged", () => {
    const payload = { provider: "aws", account: "111122223333", trigger: "schedule" };
    expect(parseJobPayload("inventory", payload)).toEqual(payload);
  });

  it("refuses a payload of an unknown cloud, an extra field or a missing trigger", () => {
    expect(() =>
      parseJobPayload("inventory", { provider: "gcp", account: "x", trigger: "schedule" }),
    ).toThrow(/invalid inventory job payload: provider/);
    expect(() => parseJobPayload("evaluate", { owner: "retail", trigger: "x", extra: 1 })).toThrow(
      JobPayloadError,
    );
    expect(() => parseJobPayload("discover", {})).toThrow(/trigger/);
    expect(() => parseJobPayload("notify", { channel: "email", trigger: "x" })).toThrow(/channel/);
  });
});
