import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../src/index.js";
import { makeFinding, makeStorageAccount } from "./support/sample-data.js";

describe("a store in a PGlite folder", () => {
  let parent: string | undefined;

  afterAll(async () => {
    if (parent !== undefined) {
      await rm(parent, { recursive: true, force: true });
    }
  });

  it("keeps scans, resources and findings across close and reopen", async () => {
    parent = await mkdtemp(join(tmpdir(), "plumbline-store-"));
    // A folder that does not exist yet, as `./.plumbline/` on a first run.
    const dataDir = join(parent, ".plumbline");
    const resource = makeStorageAccount("sub-persist", "keepme");
    const finding = makeFinding("tenant-persist", "kv-persist");

    const first = await openStore({ dataDir });
    const scan = await first.createScan({ trigger: "cli", policyHash: "sha256:persist" });
    await first.writeResources(scan.id, [resource]);
    await first.writeFindings(scan.id, [finding]);
    const finishedAt = new Date();
    await first.finishScan(scan.id, "complete", finishedAt);
    await first.close();

    expect((await readdir(dataDir)).length).toBeGreaterThan(0);

    const second = await openStore({ dataDir });
    try {
      expect((await second.migrate()).applied).toBe(0);
      expect(await second.latestScan()).toEqual({
        id: scan.id,
        startedAt: scan.startedAt,
        finishedAt,
        status: "complete",
        trigger: "cli",
        policyHash: "sha256:persist",
        kind: "full",
        owner: null,
        cloudCalls: null,
        accounts: [],
      });
      const resources = [];
      for await (const page of second.streamResources()) {
        resources.push(...page);
      }
      expect(resources).toEqual([resource]);
      const findings = [];
      for await (const page of second.streamFindings(scan.id)) {
        findings.push(...page);
      }
      expect(findings).toStrictEqual([finding]);
    } finally {
      await second.close();
    }
  }, 60_000);
});
