import { randomUUID } from "node:crypto";
import { accountKey, type CanonicalResource } from "@plumbline/rules";
import { openStore, type Store } from "@plumbline/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInventoryWriter } from "../src/pipeline/inventory-writer.js";
import { AWS_ACCOUNT, SUBSCRIPTION } from "./collectors-support.js";
import { policyFrom } from "./jobs-support.js";

const policy = policyFrom(`
version: 1
tenants:
  - id: acme
    name: Acme
    accounts:
      azure: [${SUBSCRIPTION}]
      aws: ["${AWS_ACCOUNT}"]
    regions:
      allowed: [westeurope, northeurope, eu-west-1, eu-central-1]
`);

/** A storage account or bucket in a region; moving it is a watched change. */
function resource(provider: "azure" | "aws", n: number, region: string): CanonicalResource {
  const id =
    provider === "azure"
      ? `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Storage/` +
        `storageAccounts/st${n}`
      : `arn:aws:s3:::bucket-${n}`;
  return {
    provider,
    account: provider === "azure" ? SUBSCRIPTION : AWS_ACCOUNT,
    key: provider === "azure" ? id.toLowerCase() : id,
    id,
    type: provider === "azure" ? "Microsoft.Storage/storageAccounts" : "AWS::S3::Bucket",
    region,
    location: region,
    name: `store-${n}`,
    tags: {},
    raw: { location: region },
    references: [],
    parentKey: null,
  };
}

describe("the inventory writer", () => {
  let store: Store;

  beforeAll(async () => {
    store = await openStore({ dataDir: undefined });
  }, 60_000);

  afterAll(async () => store?.close());

  async function writerFor(collectedBefore: string[]) {
    const scan = await store.createScan({ trigger: "test", kind: "inventory" });
    const writer = createInventoryWriter({
      store,
      policy,
      scanId: scan.id,
      batchId: randomUUID(),
      collectedBefore: new Set(collectedBefore),
      clock: () => new Date("2026-12-03T00:00:00Z"),
    });
    return { scan, writer };
  }

  it("counts every event of pages written at the same time, as both clouds write them", async () => {
    const numbers = Array.from({ length: 12 }, (_, n) => n);
    const pages = (azure: string, aws: string) =>
      numbers.map((n) => [resource(n % 2 === 0 ? "azure" : "aws", n, n % 2 ? aws : azure)]);
    const baseline = await writerFor([]);
    await Promise.all(pages("westeurope", "eu-west-1").map(baseline.writer.onResources));
    expect(baseline.writer.events).toBe(0);

    const moved = await writerFor([
      accountKey("azure", SUBSCRIPTION),
      accountKey("aws", AWS_ACCOUNT),
    ]);
    await Promise.all(pages("northeurope", "eu-central-1").map(moved.writer.onResources));

    const stored = await store.listScanDriftEvents(moved.scan.id);
    expect(stored.map((event) => event.kind)).toEqual(numbers.map(() => "changed"));
    expect(moved.writer.events).toBe(12);
  });
});
