import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TriggerScanRequest } from "../src/index.js";
import { type ApiFixture, bearer, startApiFixture } from "./support/api-fixture.js";
import { RETAIL_AWS } from "./support/seed.js";

let fixture: ApiFixture;
const triggered: TriggerScanRequest[] = [];

beforeAll(async () => {
  fixture = await startApiFixture("api_scan_trigger", {
    triggerScan: async (request) => {
      triggered.push(request);
      return { jobIds: ["inventory:aws:1"] };
    },
  });
}, 60_000);
afterAll(async () => fixture?.close());
beforeEach(() => {
  triggered.length = 0;
});

function requestScan(payload: unknown) {
  return fixture.app.inject({
    method: "POST",
    url: "/api/v1/scans",
    headers: bearer(fixture.tokens.admin),
    payload: payload as Record<string, unknown>,
  });
}

describe("POST /api/v1/scans", () => {
  it("refuses an empty account list with 400 instead of queueing nothing", async () => {
    const response = await requestScan({ accounts: [] });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: {
        code: "bad_request",
        message:
          "body.accounts: name at least one account, or leave accounts out to scan every account",
      },
    });
    expect(triggered).toEqual([]);
  });

  it("refuses an empty account id with 400", async () => {
    const response = await requestScan({ accounts: [""] });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe("bad_request");
    expect(response.json().error.message).toMatch(/^body\.accounts\.0: /);
    expect(triggered).toEqual([]);
  });

  it("refuses accounts the policy does not name with 400, naming each of them", async () => {
    const response = await requestScan({ accounts: [RETAIL_AWS, "000011112222", "sub-x"] });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: { code: "bad_request", message: "accounts not in the policy: 000011112222, sub-x" },
    });
    expect(triggered).toEqual([]);
  });

  it("queues every account when the body or the list is left out", async () => {
    for (const payload of [undefined, {}]) {
      const response = await requestScan(payload);
      expect(response.statusCode).toBe(202);
      expect(response.json()).toEqual({ jobIds: ["inventory:aws:1"] });
    }
    expect(triggered).toEqual([
      { requestedBy: expect.stringContaining("admin") },
      { requestedBy: expect.stringContaining("admin") },
    ]);
  });
});
