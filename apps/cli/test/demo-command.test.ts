import { createServer } from "node:net";
import { Writable } from "node:stream";
import { createTestDatabase, queryDatabase } from "@plumbline/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommandIo } from "../src/commands/command-io.js";
import { demoCommand } from "../src/commands/demo.js";
import { UsageError } from "../src/errors.js";

class CapturedStream extends Writable {
  text = "";
  override _write(chunk: Buffer | string, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe("plumbline demo", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    database = await createTestDatabase("demo");
  });

  afterAll(async () => {
    await database?.drop();
  });

  it("prints a dashboard address and an auditor token that the running API accepts", async () => {
    const stdout = new CapturedStream();
    const io: CommandIo = {
      stdout,
      stderr: new CapturedStream(),
      env: { PLUMBLINE_LOG_LEVEL: "silent" },
      logger: pino({ level: "silent" }),
      clock: () => new Date(),
      interactive: false,
    };
    const seen: { page?: string; me?: unknown; status?: number } = {};

    const code = await demoCommand({ db: database.url, port: "0" }, io, async () => {
      const url = /Dashboard:\s+(\S+)/.exec(stdout.text)?.[1];
      const token = /Auditor token:\s+(\S+)/.exec(stdout.text)?.[1];
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(token).toMatch(/^plb_/);
      seen.page = await (await fetch(url as string)).text();
      const me = await fetch(`${url}api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      seen.me = await me.json();
      const scan = await fetch(`${url}api/v1/scans`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: "{}",
      });
      seen.status = scan.status;
    });

    expect(code).toBe(0);
    expect(stdout.text).toContain("Scanned the example estate: complete, 5 accounts.");
    expect(seen.page).toContain('<div id="root">');
    expect(seen.me).toMatchObject({ name: "demo auditor", role: "auditor", scope: null });
    // The printed token reads only: the scan-now route refuses it.
    expect(seen.status).toBe(403);
  });

  it("refuses a port already in use before it scans anything", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", () => resolve()));
    const port = (holder.address() as { port: number }).port;
    const stdout = new CapturedStream();
    const io: CommandIo = {
      stdout,
      stderr: new CapturedStream(),
      env: { PLUMBLINE_LOG_LEVEL: "silent" },
      logger: pino({ level: "silent" }),
      clock: () => new Date(),
      interactive: false,
    };
    const scans = async () =>
      (await queryDatabase<{ n: number }>(database.url, "select count(*)::int as n from scans"))[0]
        ?.n;
    try {
      const before = await scans();
      await expect(
        demoCommand({ db: database.url, port: String(port) }, io, async () => undefined),
      ).rejects.toThrow(new UsageError(`--port: port ${port} is already in use on 127.0.0.1`));
      expect(stdout.text).toBe("");
      expect(await scans()).toBe(before);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });
});
