import type { AlertBatch, AlertItem } from "@plumbline/rules";
import { describe, expect, it } from "vitest";
import { findingPageId } from "./finding-page.js";
import {
  renderAlertMessage,
  type SlackBlock,
  type SlackMessage,
  slackLimits,
  truncateMrkdwn,
  truncatePlain,
} from "./render-slack-message.js";

const dashboardUrl = "https://plumbline.example.test/";

function alertItem(overrides: Partial<AlertItem> = {}): AlertItem {
  return {
    eventId: 1,
    kind: "opened",
    tenant: "retail",
    control: "storage.public-network-access",
    controlTitle: "Storage accounts refuse public network access",
    severity: "high",
    resource: "/subscriptions/s1/resourcegroups/rg/providers/microsoft.storage/storageaccounts/st1",
    subjectKey: "azure:/subscriptions/s1/resourcegroups/rg/providers/microsoft.storage/st1",
    provider: "azure",
    account: "s1",
    region: "westeurope",
    message: "Storage account st1 allows public network access (Enabled); expected Disabled",
    before: "pass",
    after: "fail",
    at: "2026-12-03T10:00:00.000Z",
    ...overrides,
  };
}

function alertBatch(items: AlertItem[]): AlertBatch {
  return {
    batchId: "6f1c1b7e-3a7e-4c55-9a51-4c3d3f1b2a10",
    scanId: "0b7f2d4e-1c1a-4b8e-8a59-7d0f6c9e5b21",
    createdAt: "2026-12-03T10:00:01.000Z",
    items,
  };
}

function sectionTexts(message: SlackMessage): string[] {
  return message.blocks.flatMap((block) => (block.type === "section" ? [block.text.text] : []));
}

function allText(message: SlackMessage): string {
  return message.blocks
    .map((block) => {
      if (block.type === "section" || block.type === "header") {
        return block.text.text;
      }
      return block.type === "context" ? block.elements.map((element) => element.text).join() : "";
    })
    .join("\n");
}

/** Checks every limit Slack enforces on a webhook message. */
function expectWithinSlackLimits(message: SlackMessage): void {
  expect(message.text.length).toBeGreaterThan(0);
  expect(message.text.length).toBeLessThanOrEqual(slackLimits.fallbackText);
  expect(message.blocks.length).toBeLessThanOrEqual(50);
  for (const block of message.blocks as SlackBlock[]) {
    if (block.type === "header") {
      expect(block.text.text.length).toBeLessThanOrEqual(150);
    }
    if (block.type === "section") {
      expect(block.text.text.length).toBeGreaterThan(0);
      expect(block.text.text.length).toBeLessThanOrEqual(3000);
    }
    if (block.type === "context") {
      expect(block.elements.length).toBeLessThanOrEqual(10);
      for (const element of block.elements) {
        expect(element.text.length).toBeLessThanOrEqual(2000);
      }
    }
  }
}

describe("findingPageId", () => {
  it("is base64url of the JSON identity, so the API can decode it", () => {
    const id = findingPageId(null, "aws.s3-public", "arn:aws:s3:::bucket/with+slash");

    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(id, "base64url").toString("utf8"))).toEqual([
      null,
      "aws.s3-public",
      "arn:aws:s3:::bucket/with+slash",
    ]);
  });
});

describe("renderAlertMessage", () => {
  it("shows each item's control, resource, region, change and a link to its finding page", () => {
    const item = alertItem();

    const message = renderAlertMessage(alertBatch([item]), { dashboardUrl });

    const id = findingPageId(item.tenant, item.control, item.subjectKey);
    const [text] = sectionTexts(message);
    expect(text).toContain(`<https://plumbline.example.test/#/findings/${id}|${item.control}>`);
    expect(text).toContain("Storage accounts refuse public network access");
    expect(text).toContain(`\`${item.resource}\``);
    expect(text).toContain("westeurope");
    expect(text).toContain("pass → fail");
    expect(text).toContain("*Opened*");
    expect(message.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "Plumbline: 1 compliance alert", emoji: true },
    });
    expect(message.text).toBe("Plumbline: 1 compliance alert (high 1) for retail");
  });

  it("groups items by tenant, then by severity, most severe first", () => {
    const items = [
      alertItem({ tenant: "retail", severity: "high", control: "a.high" }),
      alertItem({ tenant: "platform", severity: "critical", control: "b.critical" }),
      alertItem({ tenant: "retail", severity: "critical", control: "c.critical" }),
      alertItem({ tenant: null, severity: "high", control: "d.unmapped", kind: "reopened" }),
    ];

    const message = renderAlertMessage(alertBatch(items), { dashboardUrl });

    const headings = sectionTexts(message).map((text) => text.split("\n")[0]);
    expect(headings).toEqual([
      "*platform* · :red_circle: *critical*",
      "*retail* · :red_circle: *critical*",
      "*retail* · :large_orange_circle: *high*",
      "*unmapped accounts* · :large_orange_circle: *high*",
    ]);
    expect(message.blocks.filter((block) => block.type === "divider")).toHaveLength(2);
    expect(message.text).toBe(
      "Plumbline: 4 compliance alerts (critical 2 · high 2) for platform, retail, unmapped accounts",
    );
  });

  it("says new and gone when a verdict has no before or after", () => {
    const message = renderAlertMessage(
      alertBatch([alertItem({ before: null, after: "fail", kind: "opened" })]),
      { dashboardUrl },
    );

    expect(sectionTexts(message).join()).toContain("new → fail");
  });

  it("escapes Slack's control characters in names so they cannot forge links", () => {
    const item = alertItem({
      resource: "bucket<https://evil.test|click>&co",
      controlTitle: "Title with <b> & more",
    });

    const text = sectionTexts(renderAlertMessage(alertBatch([item]), { dashboardUrl })).join();

    expect(text).toContain("bucket&lt;https://evil.test|click&gt;&amp;co");
    expect(text).toContain("Title with &lt;b&gt; &amp; more");
    expect(text).not.toContain("<https://evil.test");
  });

  it("keeps twenty items as a full message and turns twenty-one into a digest", () => {
    const twenty = Array.from({ length: 20 }, (_, index) => alertItem({ eventId: index }));
    const twentyOne = [...twenty, alertItem({ eventId: 20 })];

    const full = renderAlertMessage(alertBatch(twenty), { dashboardUrl });
    const digest = renderAlertMessage(alertBatch(twentyOne), { dashboardUrl });

    expect(full.blocks[0]).toMatchObject({ text: { text: "Plumbline: 20 compliance alerts" } });
    expect(digest.blocks[0]).toMatchObject({
      text: { text: "Plumbline digest: 21 compliance alerts" },
    });
  });

  it("summarises a large batch with counts and the ten most severe items, within limits", () => {
    const severities = ["low", "medium", "high", "critical"] as const;
    const kinds = ["opened", "reopened", "waiver-expired", "resolved"] as const;
    const items = Array.from({ length: 137 }, (_, index) =>
      alertItem({
        eventId: index,
        tenant: index % 3 === 0 ? null : `tenant-${index % 5}`,
        severity: severities[index % 4] as AlertItem["severity"],
        kind: kinds[index % 4] as AlertItem["kind"],
        control: `control.number-${index}`,
        resource: `resource-${index}-${"x".repeat(400)}`,
        message: `message ${index} ${"m".repeat(1000)}`,
      }),
    );

    const message = renderAlertMessage(alertBatch(items), { dashboardUrl });

    expectWithinSlackLimits(message);
    const text = allText(message);
    expect(text).toContain("Plumbline digest: 137 compliance alerts");
    expect(text).toContain(
      "*By tenant:* unmapped accounts 46 · tenant-1 19 · tenant-0 18 · tenant-2 18",
    );
    expect(text).toContain("*By severity:* critical 34 · high 34 · medium 34 · low 35");
    expect(text).toContain("*By kind:* Opened 35 · Reopened 34 · Resolved 34 · Waiver expired 34");
    expect(text).toContain("*The 10 most severe*");
    expect(text.match(/:red_circle: • \*/g)).toHaveLength(10);
    expect(text).toContain("127 more alerts on the <https://plumbline.example.test/#/drift|");
  });

  it("stays within Slack's limits when every field is enormous", () => {
    const huge = "Ω&<>".repeat(5000);
    const items = Array.from({ length: 20 }, (_, index) =>
      alertItem({
        eventId: index,
        tenant: `${huge}-${index}`,
        control: `${huge}-${index}`,
        controlTitle: huge,
        resource: huge,
        region: huge,
        message: huge,
        before: huge,
        after: huge,
        subjectKey: huge,
      }),
    );

    const message = renderAlertMessage(alertBatch(items), { dashboardUrl });

    expectWithinSlackLimits(message);
    for (const text of sectionTexts(message)) {
      // No half-cut escape sequence and no half-open link.
      expect(text).not.toMatch(/&[a-z]{0,3}(?![a-z;])/);
      expect(text.lastIndexOf("<")).toBeLessThan(text.lastIndexOf(">") + 1);
    }
  });

  it("ends a message that would exceed fifty blocks with a pointer to the dashboard", () => {
    const items = Array.from({ length: 20 }, (_, index) =>
      alertItem({
        eventId: index,
        tenant: `tenant-${index}`,
        controlTitle: "&".repeat(150),
        resource: "&".repeat(300),
        message: "&".repeat(300),
      }),
    );

    const message = renderAlertMessage(alertBatch(items), { dashboardUrl });

    expectWithinSlackLimits(message);
    expect(message.blocks).toHaveLength(50);
    expect(message.blocks[49]).toMatchObject({ type: "context" });
    expect(allText(message)).toContain("Not every alert fits in one message");
  });
});

describe("truncation", () => {
  it("never splits a surrogate pair", () => {
    expect(truncatePlain("ab😀cd", 4)).toBe("ab…");
    expect(truncatePlain("abc😀d", 5)).toBe("abc…");
  });

  it("drops a half escape or half link at the cut", () => {
    expect(truncateMrkdwn("abc &amp; def", 8)).toBe("abc …");
    expect(truncateMrkdwn("see <https://x.test|here> now", 12)).toBe("see …");
  });
});
