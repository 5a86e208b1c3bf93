import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
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

  describe("shared by two processes", () => {
    // The built store, as a second plumbline process would load it.
    const builtStore = fileURLToPath(new URL("../dist/index.js", import.meta.url));
    const inUse = /embedded database in .* is open in another process/;

    /** Starts a process that opens the folder, says so, and keeps it open until killed. */
    async function holdOpen(dataDir: string): Promise<ChildProcess> {
      const script =
        `const { openStore } = await import(${JSON.stringify(builtStore)});` +
        `await openStore({ dataDir: ${JSON.stringify(dataDir)} });` +
        `console.log("open"); setInterval(() => undefined, 1000);`;
      const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      const [line] = (await once(child.stdout ?? child, "data")) as [Buffer];
      expect(line.toString().trim()).toBe("open");
      return child;
    }

    it("refuses a folder another process has open, in the same process or another", async () => {
      const dataDir = join(await mkdtemp(join(tmpdir(), "plumbline-store-")), "db");
      const first = await openStore({ dataDir });
      try {
        const failure = await openStore({ dataDir }).catch((error) => error);
        expect(failure).toMatchObject({ name: "StoreError", kind: "connection" });
        expect(failure.message).toMatch(inUse);
      } finally {
        await first.close();
      }

      const holder = await holdOpen(dataDir);
      try {
        const failure = await openStore({ dataDir }).catch((error) => error);
        expect(failure.message).toMatch(inUse);
      } finally {
        holder.kill("SIGTERM");
        await once(holder, "exit");
      }
      // Stopped normally, the other process gave the folder back.
      const reopened = await openStore({ dataDir });
      await reopened.close();
    }, 60_000);

    it("takes over the folder of a process that was killed", async () => {
      const dataDir = join(await mkdtemp(join(tmpdir(), "plumbline-store-")), "db");
      const holder = await holdOpen(dataDir);
      holder.kill("SIGKILL");
      await once(holder, "exit");
      expect((await openStore({ dataDir }).catch((error) => error)).message).toMatch(inUse);

      // The lock is refreshed every two seconds and goes stale after ten without a refresh.
      await new Promise((done) => setTimeout(done, 11_000));
      const store = await openStore({ dataDir });
      try {
        expect((await store.migrate()).applied).toBe(0);
      } finally {
        await store.close();
      }
    }, 60_000);
  });
});
