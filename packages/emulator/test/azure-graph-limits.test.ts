import { setTimeout as sleep } from "node:timers/promises";
import { ResourceGraphClient } from "@azure/arm-resourcegraph";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type EstateSettings, type RunningEmulator, startEmulator } from "../src/index.js";
import {
  createFakeCredential,
  type Json,
  readFixture,
  removeEstates,
  writeEstate,
} from "./support/estate-files.js";

const firstSubscription = "aaaaaaaa-0000-0000-0000-000000000001";
const secondSubscription = "aaaaaaaa-0000-0000-0000-000000000002";
const subscriptions = [firstSubscription, secondSubscription];

/** 2,500 storage accounts split over two subscriptions, generated from a real document. */
async function writeLargeEstate(): Promise<string> {
  const [template] = readFixture<{ value: Json[] }>(
    "azure/Microsoft.Storage_storageAccounts.list.arm.real.json",
  ).value;
  const documents = Array.from({ length: 2500 }, (_, index) => {
    const subscription = subscriptions[index % 2];
    const name = `stgen${String(index).padStart(5, "0")}`;
    return {
      ...template,
      id: `/subscriptions/${subscription}/resourceGroups/RG-Gen/providers/Microsoft.Storage/storageAccounts/${name}`,
      name,
    };
  });
  return writeEstate({ "azure/storage/generated.json": documents });
}

let estateDir: string | undefined;
let emulator: RunningEmulator | undefined;

async function startWith(settings: EstateSettings): Promise<RunningEmulator> {
  estateDir ??= await writeLargeEstate();
  emulator = await startEmulator({ estateDir, settings });
  return emulator;
}

function createClient(
  running: RunningEmulator,
  token: string,
  maxRetries = 0,
): ResourceGraphClient {
  return new ResourceGraphClient(createFakeCredential(token), {
    endpoint: running.azureEndpoint,
    tlsOptions: { ca: running.caCertificate },
    retryOptions: { maxRetries, retryDelayInMs: 10, maxRetryDelayInMs: 20 },
  });
}

const storageQuery =
  "resources | where type =~ 'microsoft.storage/storageaccounts' | order by id asc";

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});
afterAll(removeEstates);

describe("Resource Graph paging and limits", () => {
  it("pages 2,500 rows with $skipToken in pages of at most 1,000, counting each request", async () => {
    const running = await startWith({});
    const client = createClient(running, "paging");
    const ids: string[] = [];
    const pageSizes: number[] = [];
    let skipToken: string | undefined;
    do {
      const result = await client.resources({
        query: storageQuery,
        subscriptions,
        options: { ...(skipToken === undefined ? {} : { skipToken }), resultFormat: "objectArray" },
      });
      const rows = result.data as Json[];
      ids.push(...rows.map((row) => String(row.id)));
      pageSizes.push(result.count);
      expect(result.totalRecords).toBe(2500);
      expect(result.resultTruncated).toBe("false");
      skipToken = result.skipToken;
    } while (skipToken !== undefined);

    expect(pageSizes).toEqual([1000, 1000, 500]);
    expect(new Set(ids).size).toBe(2500);
    expect(ids).toEqual([...ids].sort());
    expect(running.requestCounts().resourceGraph).toBe(3);
  });

  it("announces the quota in headers and answers 429 RateLimiting once it is spent, then recovers", async () => {
    const running = await startWith({ azure: { quota: { queries: 2, windowSeconds: 1 } } });
    const client = createClient(running, "quota");
    const headers: Record<string, string | undefined>[] = [];
    const options = {
      onResponse: (response: { headers: { get(name: string): string | undefined } }) => {
        headers.push({
          remaining: response.headers.get("x-ms-user-quota-remaining"),
          resetsAfter: response.headers.get("x-ms-user-quota-resets-after"),
          retryAfter: response.headers.get("retry-after"),
        });
      },
    };
    const query = { query: storageQuery, subscriptions, options: { top: 1 } };

    await client.resources(query, options);
    await client.resources(query, options);
    const throttled = await client.resources(query, options).catch((error: unknown) => error);
    await sleep(1100);
    const recovered = await client.resources(query, options);

    expect(throttled).toMatchObject({ statusCode: 429, code: "RateLimiting" });
    expect(headers.map((entry) => entry.remaining)).toEqual(["1", "0", "0", "1"]);
    expect(headers[2]?.resetsAfter).toMatch(/^00:00:0[01]$/);
    expect(headers[2]?.retryAfter).toBeUndefined();
    expect(recovered.count).toBe(1);
  });

  it("answers a 429 shaped like the recorded one", async () => {
    const recorded = readFixture<{ response: { body: { error: Json } } }>(
      "azure/Microsoft.ResourceGraph_resources.throttled-429.http.composed.json",
    );
    const running = await startWith({
      faults: [{ operation: "resourceGraph", kind: "throttle", times: 1 }],
    });
    const client = createClient(running, "throttle-fault");

    const error = (await client
      .resources({ query: storageQuery, subscriptions })
      .catch((e: unknown) => e)) as {
      statusCode: number;
      code: string;
      details: { error: Json };
    };
    const retried = await client.resources({
      query: storageQuery,
      subscriptions,
      options: { top: 5 },
    });

    expect(error.statusCode).toBe(429);
    expect(error.details.error.code).toBe(recorded.response.body.error.code);
    expect((error.details.error.details as Json[])[0]?.code).toBe("RateLimiting");
    expect(retried.count).toBe(5);
  });

  it("retries a server error with the SDK's own retry and then succeeds", async () => {
    const running = await startWith({
      faults: [{ operation: "resourceGraph", kind: "server-error", status: 503, times: 1 }],
    });
    const result = await createClient(running, "server-error", 2).resources({
      query: storageQuery,
      subscriptions,
      options: { top: 10 },
    });

    expect(result.count).toBe(10);
    expect(running.requestCounts().resourceGraph).toBe(2);
  });

  it("sends a truncated body once for a malformed fault, which the client cannot parse", async () => {
    const running = await startWith({
      faults: [{ operation: "resourceGraph", kind: "malformed", times: 1 }],
    });
    const client = createClient(running, "malformed");

    const error = await client
      .resources({ query: storageQuery, subscriptions })
      .catch((e: unknown) => e);
    const retried = await client.resources({
      query: storageQuery,
      subscriptions,
      options: { top: 3 },
    });

    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toMatch(/JSON|parse|Unexpected/i);
    expect(retried.count).toBe(3);
  });

  it("fails page 2 every time for a fail-page fault while page 1 keeps working", async () => {
    const running = await startWith({
      faults: [
        { operation: "resourceGraph", kind: "fail-page", page: 2, account: secondSubscription },
      ],
    });
    const client = createClient(running, "fail-page");
    const first = await client.resources({
      query: storageQuery,
      subscriptions,
      options: { top: 100 },
    });
    const attempts = await Promise.all(
      [1, 2, 3].map(() =>
        client
          .resources({
            query: storageQuery,
            subscriptions,
            options: { top: 100, skipToken: String(first.skipToken) },
          })
          .catch((error: unknown) => error),
      ),
    );
    const firstAgain = await client.resources({
      query: storageQuery,
      subscriptions,
      options: { top: 100 },
    });

    for (const attempt of attempts) expect(attempt).toMatchObject({ statusCode: 500 });
    expect(firstAgain.count).toBe(100);
  });

  it("refuses $top above 1,000 and a skip token of another query with 400 BadRequest", async () => {
    const running = await startWith({});
    const client = createClient(running, "validation");
    const first = await client.resources({
      query: storageQuery,
      subscriptions,
      options: { top: 10 },
    });

    const tooLarge = await client
      .resources({ query: storageQuery, subscriptions, options: { top: 1001 } })
      .catch((error: unknown) => error);
    const foreignToken = await client
      .resources({
        query: "resources",
        subscriptions,
        options: { skipToken: String(first.skipToken) },
      })
      .catch((error: unknown) => error);

    expect(tooLarge).toMatchObject({ statusCode: 400, code: "BadRequest" });
    expect(foreignToken).toMatchObject({ statusCode: 400, code: "BadRequest" });
  });
});
