import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createApiToken } from "@plumbline/api";
import { openStore } from "@plumbline/store";
import { createTestDatabase } from "@plumbline/testing";
import { pino } from "pino";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommandIo } from "../../src/commands/command-io.js";
import { type RunningDemo, startDemo } from "../../src/commands/demo.js";
import { startServer } from "../../src/commands/serve.js";
import { fromRoot, runCommand } from "../support/harness.js";
import { deletePrefix, REDIS_URL, startWorker, uniquePrefix } from "../worker-support.js";

/** Screenshots and the printed map land here as test artefacts (gitignored). */
const artefacts = fromRoot("apps/cli/test-results/browser/");

const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  "--disable-dev-shm-usage",
  // Only loopback is reachable: Chromium's own lookups (updates, accounts) resolve to nothing.
  "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
];

const silent = new Writable({ write: (_chunk, _encoding, done) => done() });

const io: CommandIo = {
  stdout: silent,
  stderr: silent,
  env: { PLUMBLINE_LOG_LEVEL: "silent" },
  logger: pino({ level: "silent" }),
  clock: () => new Date(),
  interactive: false,
};

describe("the dashboard in Chromium, over the demo's API on PostgreSQL", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let demo: RunningDemo;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await mkdir(artefacts, { recursive: true });
    database = await createTestDatabase("browser");
    demo = await startDemo({ db: database.url, port: "0" }, io);
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: chromiumArgs,
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    await database?.drop();
  });

  /** Saves the page and checks it fits the window's width (no sideways scrolling). */
  async function screenshot(name: string): Promise<void> {
    await page.screenshot({ path: `${artefacts}${name}.png`, fullPage: true });
    const width = await page.evaluate<number>("document.documentElement.scrollWidth");
    expect(width, `${name} scrolls sideways`).toBeLessThanOrEqual(page.viewportSize()?.width ?? 0);
  }

  it("refuses a wrong token and signs an auditor in with the printed one", async () => {
    await page.goto(demo.url);
    const tokenField = page.getByLabel("API token");
    await tokenField.fill("plb_not-a-real-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect
      .poll(() => page.getByRole("alert").textContent())
      .toContain("This token is not valid");

    await screenshot("00-sign-in-refused");
    await tokenField.fill(demo.token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
    expect(await page.getByTestId("role").textContent()).toBe("auditor");
  });

  it("shows every owner's posture by area, open findings and each account's last scan", async () => {
    const retail = page.locator('section[data-owner="retail"]');
    await retail.waitFor();
    expect(await retail.getByRole("heading", { level: 2 }).textContent()).toBe("Retail banking");
    await expect.poll(() => page.locator("section.owner-card").count()).toBe(4);

    const critical = Number(await retail.getByTestId("open-critical").textContent());
    expect(critical).toBeGreaterThan(0);
    const areas = await retail.locator("table").first().locator("tbody th").allTextContents();
    expect(areas).toEqual(expect.arrayContaining(["keys", "network", "residency", "dataflow"]));
    const accounts = await retail.locator("table.accounts tbody th").allTextContents();
    expect(accounts).toEqual([
      expect.stringContaining("00000000-0000-0000-0000-00000000a001"),
      expect.stringContaining("111122223333"),
    ]);
    await screenshot("01-overview");
  });

  it("offers an auditor no action it may not take", async () => {
    const navigation = await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link")
      .allTextContents();
    expect(navigation).toEqual([
      "Overview",
      "Findings",
      "Drift",
      "Data flow",
      "Controls",
      "Waivers",
      "Scans",
    ]);

    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Scans" })
      .click();
    await page.locator("table.scans-table tbody tr").first().waitFor();
    // Keyboard and screen-reader users land on the new page's heading.
    expect(await page.evaluate<string>("document.activeElement.textContent")).toBe("Scans");
    expect(await page.getByRole("button", { name: /scan now/i }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /token|revoke/i }).count()).toBe(0);
    // The example policy alerts on Slack, but the demo holds no webhook URL: the page says so.
    await expect
      .poll(() => page.locator("ul.channels li").first().textContent())
      .toContain(
        "slack: not-configured — SLACK_WEBHOOK_URL is not set in the server's environment",
      );
    await screenshot("02-scans-auditor");

    await page.goto(`${demo.url}#/access-log`);
    await page.getByRole("heading", { level: 1, name: "Page not found" }).waitFor();
  });

  it("filters the findings to one control", async () => {
    await page.goto(`${demo.url}#/findings`);
    await page.locator("table.findings-table tbody tr").first().waitFor();
    const before = await page.locator("table.findings-table tbody tr").count();

    await page.getByLabel("Control").selectOption("keys.vault-recoverable");
    await expect.poll(() => page.url()).toContain("control=keys.vault-recoverable");
    await expect
      .poll(async () => {
        const controls = await page
          .locator("table.findings-table tbody tr td:nth-child(3) .mono")
          .allTextContents();
        return controls.length > 0 && controls.every((id) => id === "keys.vault-recoverable");
      })
      .toBe(true);
    const after = await page.locator("table.findings-table tbody tr").count();
    expect(after).toBeLessThan(before);
    expect(await page.getByRole("status").first().textContent()).toMatch(/\d+ findings? match/);
    await screenshot("03-findings-one-control");

    // The CSV export holds the same filtered set: a header and one row per finding.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("plumbline-findings.csv");
    const csv = await readFile(await download.path(), "utf8");
    const lines = csv.trim().split(/\r?\n/);
    expect(lines).toHaveLength(after + 1);
    expect(lines.slice(1).every((line) => line.includes("keys.vault-recoverable"))).toBe(true);
  });

  it("opens a failing finding and shows its evidence and the raw document around it", async () => {
    await page.getByLabel("Verdict").selectOption("fail");
    const row = page.locator("table.findings-table tbody tr").first();
    await expect.poll(() => row.locator(".verdict-fail").count()).toBe(1);
    await row.locator(".resource-cell a").click();

    await page.getByRole("heading", { level: 2, name: "Evidence" }).waitFor();
    expect(await page.getByTestId("verdict-message").textContent()).toMatch(/kv-/i);
    const paths = await page.locator(".evidence-table tbody td:first-child").allTextContents();
    expect(paths).toEqual(
      expect.arrayContaining(["properties.enableSoftDelete", "properties.enablePurgeProtection"]),
    );
    const excerpt = await page.locator(".json-excerpt pre").first().textContent();
    expect(excerpt).toContain('"enableSoftDelete"');
    await page.getByRole("heading", { level: 2, name: "Remediation" }).waitFor();
    await page.getByRole("heading", { level: 2, name: "History" }).waitFor();
    await screenshot("04-finding");
  });

  it("lists only the references of an Azure finding's cloud", async () => {
    await page.goto(`${demo.url}#/findings?control=dataflow.stage-region&q=oai-retail-sdc`);
    const row = page.locator("table.findings-table tbody tr", { hasText: "oai-retail-sdc" });
    await row.first().locator(".resource-cell a").click();
    await page.getByRole("heading", { level: 2, name: "Remediation" }).waitFor();
    const references = await page
      .locator("#remediation-title ~ ul.references")
      .first()
      .locator("li")
      .allTextContents();
    expect(references).toEqual(["Azure Policy built-in: Allowed locations"]);
    await screenshot("04-finding-azure-references");
  });

  it("lists waivers with their expiry, the control catalogue and the replayed drift", async () => {
    await page.goto(`${demo.url}#/waivers`);
    const expired = page.locator("table.waivers-table tbody tr.waiver-expired");
    await expired.first().waitFor();
    expect(await expired.first().textContent()).toContain("network.egress-firewall-logged");
    expect(await expired.first().textContent()).toMatch(/expired \d+ days? ago/);
    const active = page.locator("table.waivers-table tbody tr.waiver-active");
    expect(await active.first().textContent()).toContain("CHG-2291");
    await screenshot("05-waivers");

    await page.goto(`${demo.url}#/controls`);
    await page.locator("table.controls-table tbody tr").first().waitFor();
    expect(await page.locator("table.controls-table tbody tr").count()).toBe(19);
    await screenshot("05-controls");

    // The demo's first run replays last week's estate, then scans today's: its changes show.
    await page.goto(`${demo.url}#/drift`);
    const rows = page.locator("table.drift-table tbody tr");
    await rows.first().waitFor();
    const opened = rows.filter({ has: page.locator(".drift-opened") });
    expect(await opened.filter({ hasText: "stwealthexport" }).count()).toBe(1);
    const resolved = rows.filter({ has: page.locator(".drift-resolved") });
    expect(await resolved.filter({ hasText: "retail-orders-db" }).count()).toBe(1);
    await screenshot("06-drift-replayed");
  });

  it("shows the drift a second scan finds, linked to the finding it changed", async () => {
    const estate = await mkdtemp(join(tmpdir(), "plumbline-browser-estate-"));
    try {
      await cp(fromRoot("examples/estate"), estate, { recursive: true });
      const document = join(estate, "azure/wealth/rg-wealth-data/stwealthdocs.json");
      const text = await readFile(document, "utf8");
      await writeFile(
        document,
        text.replace('"publicNetworkAccess": "Disabled"', '"publicNetworkAccess": "Enabled"'),
      );
      const rescan = await runCommand([
        "scan",
        "--policy",
        fromRoot("examples/plumbline.yaml"),
        "--estate",
        estate,
        "--db",
        database.url,
      ]);
      expect(rescan.code).toBe(0);
    } finally {
      await rm(estate, { recursive: true, force: true });
    }

    // The drift page is already open from the previous step: load it afresh.
    await page.reload();
    await page.locator("table.drift-table tbody tr").first().waitFor();
    const rows = page.locator("table.drift-table tbody tr");
    const opened = rows.filter({ has: page.locator(".drift-opened") });
    expect(await opened.first().textContent()).toContain("stwealthdocs");
    expect(await opened.first().textContent()).toContain("pass → fail");
    const changed = rows.filter({ has: page.locator(".drift-changed") });
    expect(await changed.first().textContent()).toMatch(/Disabled → Enabled/);

    // Filtered to one kind, only that kind is listed: the second scan resolved nothing.
    await page.getByLabel("Kind").selectOption("resolved");
    const resolvedOnly = async () => {
      const listed = await rows.count();
      const resolved = await rows.filter({ has: page.locator(".drift-resolved") }).count();
      return listed > 0 && listed === resolved;
    };
    await expect.poll(resolvedOnly).toBe(true);
    expect(await rows.filter({ hasText: "stwealthdocs" }).count()).toBe(0);
    await page.getByLabel("Kind").selectOption("");
    await opened.first().waitFor();
    await screenshot("07-drift");

    await opened.first().getByRole("link", { name: "stwealthdocs" }).click();
    await page.getByRole("heading", { level: 2, name: "History" }).waitFor();
    expect(await page.locator(".timeline-item").first().textContent()).toContain("opened");

    // The resource page keeps each content change; the diff shows what the second scan saw.
    await page.getByRole("link", { name: "The resource's history and findings" }).click();
    await page.getByRole("heading", { level: 2, name: "Content history" }).waitFor();
    await page.getByRole("button", { name: "Show changes from the one before" }).click();
    const change = page.locator(".snapshot-diff tbody tr", { hasText: "publicNetworkAccess" });
    expect(await change.textContent()).toContain("DisabledEnabled");
    await screenshot("07-resource-history");

    // A resource event leads to the resource page itself: its history and content diff.
    await page.goto(`${demo.url}#/drift?kind=changed&q=stwealthdocs`);
    const resourceEvent = page
      .locator("table.drift-table tbody tr", { has: page.locator(".drift-changed") })
      .first();
    await resourceEvent.getByRole("link", { name: "stwealthdocs" }).click();
    await page.getByRole("heading", { level: 2, name: "Content history" }).waitFor();
    expect(page.url()).toContain("#/resources/");
    await page.getByRole("button", { name: "Show changes from the one before" }).click();
    expect(await change.textContent()).toContain("DisabledEnabled");
  });

  it("draws a tenant's data-flow map with six stages and fits it on one A4 page", async () => {
    await page.goto(`${demo.url}#/dataflow/retail`);
    await page.getByRole("heading", { level: 1, name: "Data flow: Retail banking" }).waitFor();
    const stages = await page
      .locator("li.stage")
      .evaluateAll((boxes) => boxes.map((box) => box.getAttribute("data-stage")));
    expect(stages).toEqual([
      "prompt-composition",
      "retrieval",
      "model-call",
      "response-logging",
      "tool-calls",
      "audit-trail",
    ]);
    const modelCall = page.locator('li.stage[data-stage="model-call"]');
    expect(await modelCall.locator(".stage-resource").count()).toBeGreaterThan(0);
    expect(await modelCall.locator(".region").first().textContent()).toMatch(/\w/);
    await screenshot("08-dataflow");

    // A4 at 96 dpi is 794 px wide: the print screenshot shows what the sheet will hold.
    await page.setViewportSize({ width: 794, height: 1123 });
    await page.emulateMedia({ media: "print" });
    await page.screenshot({ path: `${artefacts}09-dataflow-print.png`, fullPage: true });
    const pdf = await page.pdf({
      path: `${artefacts}dataflow.pdf`,
      format: "A4",
      preferCSSPageSize: true,
    });
    await page.emulateMedia({ media: "screen" });
    await page.setViewportSize({ width: 1280, height: 900 });
    const pages = pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) ?? [];
    expect(pages).toHaveLength(1);
  });

  it("fits a small laptop screen without scrolling sideways", async () => {
    await page.setViewportSize({ width: 1024, height: 640 });
    for (const [name, path] of [
      ["11-laptop-overview", "#/"],
      ["12-laptop-findings", "#/findings?status=fail"],
      ["13-laptop-dataflow", "#/dataflow/wealth"],
    ] as const) {
      await page.goto(`${demo.url}${path}`);
      await page.reload();
      await page.locator("main h1").waitFor();
      await page.locator("main [role=status].state-loading").waitFor({ state: "detached" });
      await screenshot(name);
    }

    // A stage's own finding (here: its selector matches nothing) has no raw document.
    await page.locator('li.stage[data-stage="prompt-composition"] .stage-findings a').click();
    await page.getByRole("heading", { level: 2, name: "Evidence" }).waitFor();
    await page.getByText("it has no raw document of its own").waitFor();
    await screenshot("13-laptop-stage-finding");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("shows an admin the access log and the scan button that an auditor does not get", async () => {
    const store = await openStore({ url: database.url });
    const admin = await createApiToken(store.database, {
      name: "browser admin",
      role: "admin",
      scope: null,
      now: new Date(),
    });
    await store.close();

    await page.goto(`${demo.url}#/dataflow/wealth`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("API token").fill(admin.secret);
    await page.getByRole("button", { name: "Sign in" }).click();
    // Signing in keeps the page the address names (here a data-flow map).
    await page.getByRole("heading", { level: 1, name: "Data flow: Wealth management" }).waitFor();
    expect(await page.getByTestId("role").textContent()).toBe("admin");
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Access log" })
      .click();
    await page.locator("table tbody tr").first().waitFor();

    await page.goto(`${demo.url}#/scans`);
    await page.getByRole("button", { name: "Scan now" }).click();
    // The demo runs without Redis, so the API refuses with queue_unavailable and says why.
    await expect.poll(() => page.locator(".scan-now [role=status]").textContent()).toMatch(/\w/);
    await screenshot("10-scans-admin");

    // An admin creates a scoped auditor token, sees its secret once, and revokes it.
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Tokens" })
      .click();
    await page.getByLabel("Name").fill("external auditor");
    await page.getByLabel("wealth").check();
    await page.getByRole("button", { name: "Create token" }).click();
    expect(await page.getByTestId("new-secret").textContent()).toMatch(/^plb_/);
    const row = page.locator('tr[data-token="external auditor"]');
    expect(await row.textContent()).toContain("wealth");
    await row.getByRole("button", { name: "Revoke…" }).click();
    await row.getByRole("button", { name: "Revoke external auditor" }).click();
    await expect.poll(() => row.locator(".badge").textContent()).toBe("revoked");
    await screenshot("10-tokens-admin");
  });

  it("queues a scan, lists the jobs' scans without a reload and names what each covered", async () => {
    const prefix = uniquePrefix("browser");
    const env = { REDIS_URL, PLUMBLINE_QUEUE_PREFIX: prefix };
    const policy = fromRoot("examples/plumbline.yaml");
    const server = await startServer(
      { policy, port: "0", host: "127.0.0.1", db: database.url },
      { ...io, env: { ...io.env, ...env } },
    );
    const worker = startWorker(
      "browser",
      ["--policy", policy, "--estate", fromRoot("examples/estate"), "--concurrency", "4"],
      { ...env, DATABASE_URL: database.url, PLUMBLINE_EVALUATE_DELAY_MS: "200" },
    );
    try {
      if (server === null) throw new Error("the example policy did not load");
      await worker.ready();
      const store = await openStore({ url: database.url });
      const admin = await createApiToken(store.database, {
        name: "browser queue admin",
        role: "admin",
        scope: null,
        now: new Date(),
      });
      await store.close();

      await page.goto(`${server.url}/#/scans`);
      await page.getByLabel("API token").fill(admin.secret);
      await page.getByRole("button", { name: "Sign in" }).click();
      const kinds = page.locator("table.scans-table tbody td[data-testid=scan-kind]");
      await kinds.first().waitFor();
      const before = await kinds.allTextContents();
      expect(before.every((text) => text.startsWith("full"))).toBe(true);

      await page.getByRole("button", { name: "Scan now" }).click();
      // The example policy's five accounts, and the discovery of accounts no owner lists.
      await expect
        .poll(() => page.locator(".scan-now [role=status]").textContent())
        .toBe("Queued 6 jobs.");
      // The list follows the queued jobs on its own: the page is not reloaded.
      await expect
        .poll(() => kinds.allTextContents(), { timeout: 50_000 })
        .toEqual(
          expect.arrayContaining([
            "discoveryaccounts no owner lists",
            "inventoryazure 00000000-0000-0000-0000-00000000a0ff",
            "inventoryazure 00000000-0000-0000-0000-00000000a001",
            "inventoryaws 111122223333",
            "inventoryazure 00000000-0000-0000-0000-00000000a002",
            "inventoryaws 444455556666",
          ]),
        );
      const discovery = page.locator("table.scans-table tbody tr", { hasText: "discovery" });
      expect(await discovery.locator("td").nth(3).textContent()).toBe("—");
      await screenshot("10-scans-queued");
    } finally {
      worker.kill("SIGTERM");
      await worker.exited();
      await server?.close();
      await deletePrefix(prefix);
      // Back to the demo's origin, where the admin is still signed in.
      await page.goto(`${demo.url}#/scans`);
    }
  }, 90_000);

  it("shows an auditor scoped to one tenant only that tenant", async () => {
    const store = await openStore({ url: database.url });
    const scoped = await createApiToken(store.database, {
      name: "retail auditor",
      role: "auditor",
      scope: ["retail"],
      now: new Date(),
    });
    await store.close();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.goto(demo.url);
    await page.getByLabel("API token").fill(scoped.secret);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
    await page.locator("section.owner-card").first().waitFor();
    const owners = await page
      .locator("section.owner-card")
      .evaluateAll((cards) => cards.map((card) => card.getAttribute("data-owner")));
    expect(owners).toEqual(["retail"]);

    await page.goto(`${demo.url}#/dataflow/wealth`);
    await page.getByRole("alert").waitFor();
    await screenshot("14-scoped-auditor-refused");
  });
});
