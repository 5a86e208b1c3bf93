import type { AlertBatch, AlertItem } from "@plumbline/rules";
import { severityRank } from "./alert-batch.js";
import { driftPageUrl, findingPageUrl } from "./finding-page.js";

/** Slack's published limits for a webhook message; a message over any of them is refused. */
export const slackLimits = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  contextElementText: 2000,
  /** Not a Slack limit: notification previews show little, so the fallback stays short. */
  fallbackText: 1000,
} as const;

/** Above this many items a batch becomes a digest: counts and the most severe items. */
export const digestThreshold = 20;

/** How many items a digest shows in full. */
const digestTopItems = 10;

/** The Block Kit blocks the renderer uses: a subset that Slack's KnownBlock type accepts. */
export type SlackBlock =
  | { type: "header"; text: { type: "plain_text"; text: string; emoji: true } }
  | { type: "section"; text: { type: "mrkdwn"; text: string } }
  | { type: "context"; elements: Array<{ type: "mrkdwn"; text: string }> }
  | { type: "divider" };

/** A message ready for an incoming webhook: `text` is what notifications and screen readers show. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** What the renderer needs besides the batch. */
export interface RenderAlertOptions {
  /** The dashboard's base URL, for links to each finding. */
  dashboardUrl: string;
}

const severityEmoji: Record<AlertItem["severity"], string> = {
  critical: ":red_circle:",
  high: ":large_orange_circle:",
  medium: ":large_yellow_circle:",
  low: ":white_circle:",
};

const kindLabel: Record<AlertItem["kind"], string> = {
  opened: "Opened",
  reopened: "Reopened",
  "waiver-expired": "Waiver expired",
  resolved: "Resolved",
};

// Regressions come before good news when a digest picks what to show.
const kindRank: Record<AlertItem["kind"], number> = {
  reopened: 0,
  opened: 1,
  "waiver-expired": 2,
  resolved: 3,
};

/** Renders one outbox batch as one Slack message: grouped in full, or a digest when large. */
export function renderAlertMessage(batch: AlertBatch, options: RenderAlertOptions): SlackMessage {
  const items = [...batch.items].sort(compareItems);
  const blocks =
    items.length > digestThreshold
      ? renderDigest(batch, items, options)
      : renderGroups(batch, items, options);

  return { text: renderFallbackText(items), blocks: limitBlocks(blocks, options) };
}

function renderGroups(
  batch: AlertBatch,
  items: AlertItem[],
  options: RenderAlertOptions,
): SlackBlock[] {
  const blocks: SlackBlock[] = [
    header(`Plumbline: ${plural(items.length, "compliance alert")}`),
    context(
      `${countLine(items, (item) => kindLabel[item.kind], "largest")} · batch ${escapeText(batch.batchId)}`,
    ),
  ];

  for (const [index, tenantItems] of groupBy(items, (item) => tenantLabel(item)).entries()) {
    if (index > 0) {
      blocks.push({ type: "divider" });
    }
    for (const severityItems of groupBy(tenantItems, (item) => item.severity)) {
      const first = severityItems[0] as AlertItem;
      const heading = `*${escapeText(tenantLabel(first))}* · ${severityEmoji[first.severity]} *${first.severity}*`;
      const lines = [heading, ...severityItems.map((item) => renderItem(item, options))];
      blocks.push(...packSections(lines));
    }
  }
  return blocks;
}

function renderDigest(
  batch: AlertBatch,
  items: AlertItem[],
  options: RenderAlertOptions,
): SlackBlock[] {
  const top = items.slice(0, digestTopItems);
  const counts = [
    `*By tenant:* ${countLine(items, tenantLabel, "largest")}`,
    `*By severity:* ${countLine(items, (item) => item.severity)}`,
    `*By kind:* ${countLine(items, (item) => kindLabel[item.kind], "largest")}`,
  ];

  return [
    header(`Plumbline digest: ${plural(items.length, "compliance alert")}`),
    context(`batch ${escapeText(batch.batchId)}`),
    ...packSections(counts),
    { type: "divider" },
    ...packSections([
      `*The ${top.length} most severe*`,
      ...top.map((item) => `${severityEmoji[item.severity]} ${renderItem(item, options)}`),
    ]),
    context(
      `${plural(items.length - top.length, "more alert")} on the <${driftPageUrl(options.dashboardUrl)}|drift timeline>`,
    ),
  ];
}

/** One item: what happened to which control on which resource, and a link to the finding. */
function renderItem(item: AlertItem, options: RenderAlertOptions): string {
  const link = `<${findingPageUrl(options.dashboardUrl, item)}|${linkLabel(item.control)}>`;
  const title = escapeText(clip(item.controlTitle, 150));
  const resource = escapeText(clip(item.resource, 300)).replaceAll("`", "'");
  const region = escapeText(clip(item.region ?? "no region", 60));
  const change = `${escapeText(clip(item.before ?? "new", 30))} → ${escapeText(clip(item.after ?? "gone", 30))}`;
  const message = escapeText(clip(item.message, 300));

  return [
    `• *${kindLabel[item.kind]}* ${link} ${title}`,
    `   \`${resource}\` · ${region} · ${change}`,
    `   ${message}`,
  ].join("\n");
}

function renderFallbackText(items: AlertItem[]): string {
  const tenants = [...new Set(items.map(tenantLabel))].join(", ");
  const text = `Plumbline: ${plural(items.length, "compliance alert")} (${countLine(items, (item) => item.severity)}) for ${tenants}`;
  return truncateMrkdwn(escapeText(text), slackLimits.fallbackText);
}

/** Keeps a message within Slack's block count, saying that some alerts were left out. */
function limitBlocks(blocks: SlackBlock[], options: RenderAlertOptions): SlackBlock[] {
  if (blocks.length <= slackLimits.blocks) {
    return blocks;
  }
  return [
    ...blocks.slice(0, slackLimits.blocks - 1),
    context(
      `Not every alert fits in one message; see the <${driftPageUrl(options.dashboardUrl)}|drift timeline>`,
    ),
  ];
}

/** Packs lines into as few sections as fit Slack's section limit; an overlong line is cut. */
function packSections(lines: string[]): SlackBlock[] {
  const sections: SlackBlock[] = [];
  let current = "";
  for (const line of lines) {
    const safeLine = truncateMrkdwn(line, slackLimits.sectionText);
    if (current !== "" && current.length + 1 + safeLine.length > slackLimits.sectionText) {
      sections.push(section(current));
      current = "";
    }
    current = current === "" ? safeLine : `${current}\n${safeLine}`;
  }
  if (current !== "") {
    sections.push(section(current));
  }
  return sections;
}

function header(text: string): SlackBlock {
  return {
    type: "header",
    text: { type: "plain_text", text: truncatePlain(text, slackLimits.headerText), emoji: true },
  };
}

function section(text: string): SlackBlock {
  return { type: "section", text: { type: "mrkdwn", text } };
}

function context(text: string): SlackBlock {
  return {
    type: "context",
    elements: [{ type: "mrkdwn", text: truncateMrkdwn(text, slackLimits.contextElementText) }],
  };
}

function compareItems(left: AlertItem, right: AlertItem): number {
  return (
    severityRank[left.severity] - severityRank[right.severity] ||
    kindRank[left.kind] - kindRank[right.kind] ||
    tenantLabel(left).localeCompare(tenantLabel(right)) ||
    left.control.localeCompare(right.control) ||
    left.resource.localeCompare(right.resource)
  );
}

/** Groups in order of first appearance, so a sorted list stays sorted inside each group. */
function groupBy<T>(values: T[], keyOf: (value: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const value of values) {
    const key = keyOf(value);
    const group = groups.get(key);
    if (group === undefined) {
      groups.set(key, [value]);
    } else {
      group.push(value);
    }
  }
  return [...groups.values()];
}

/**
 * Counts items per key, as `key n · key n`: in order of first appearance (the items are sorted
 * by severity, which suits severities), or largest count first.
 */
function countLine(
  items: AlertItem[],
  keyOf: (item: AlertItem) => string,
  order: "appearance" | "largest" = "appearance",
): string {
  const groups = groupBy(items, keyOf).map((group) => ({
    key: keyOf(group[0] as AlertItem),
    count: group.length,
  }));
  if (order === "largest") {
    groups.sort((left, right) => right.count - left.count || left.key.localeCompare(right.key));
  }
  return groups.map((group) => `${escapeText(group.key)} ${group.count}`).join(" · ");
}

function tenantLabel(item: AlertItem): string {
  return item.tenant ?? "unmapped accounts";
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function linkLabel(control: string): string {
  // A `|` or `>` inside the label would end Slack's link syntax early.
  return escapeText(clip(control, 100)).replaceAll("|", "/");
}

/** Escapes the three characters Slack's mrkdwn gives meaning to. */
export function escapeText(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** Shortens raw text before escaping, so an escape sequence is never cut in half. */
function clip(text: string, max: number): string {
  return truncatePlain(text, max);
}

/** Cuts plain text to `max` UTF-16 units with an ellipsis, never splitting a surrogate pair. */
export function truncatePlain(text: string, max: number): string {
  if (text.length <= max) {
    return text;
  }
  let end = max - 1;
  if (isHighSurrogate(text.charCodeAt(end - 1))) {
    end -= 1;
  }
  return `${text.slice(0, end)}…`;
}

/**
 * Cuts mrkdwn to `max` UTF-16 units (Slack counts characters, never more than UTF-16 units)
 * without leaving half an escape like `&am` or half a link like `<https://…`.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) {
    return text;
  }
  let cut = truncatePlain(text, max).slice(0, -1);
  if (cut.lastIndexOf("<") > cut.lastIndexOf(">")) {
    cut = cut.slice(0, cut.lastIndexOf("<"));
  }
  if (cut.lastIndexOf("&") > cut.lastIndexOf(";")) {
    cut = cut.slice(0, cut.lastIndexOf("&"));
  }
  return `${cut}…`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
