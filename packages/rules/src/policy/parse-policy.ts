import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type * as z from "zod";
import { daysUntil } from "./dates.js";
import { buildPolicySchema } from "./schema.js";
import type { Policy } from "./types.js";

/** One problem found in a policy file, placed at its line and field. */
export interface PolicyIssue {
  /** The file name as the caller gave it. */
  file: string;
  /** 1-based line, or null when the problem has no place in the file. */
  line: number | null;
  /** Field path such as `tenants[0].regions.allowed[2]`; empty for the whole file. */
  path: string;
  message: string;
  /** `file:line path: message`, the form printed to people. */
  text: string;
}

/** The outcome of a valid policy file. */
export interface ParsePolicyResult {
  policy: Policy;
  /** Problems that do not make the file invalid (waivers about to expire or expired). */
  warnings: PolicyIssue[];
}

/** Options of `parsePolicy` and `loadPolicyFile`. */
export interface ParsePolicyOptions {
  /** The evaluation date: waiver limits and warnings are counted from it. */
  now: Date;
}

/** A policy file that is not valid; `issues` lists every problem with file, line and field. */
export class PolicyError extends Error {
  override readonly name = "PolicyError";
  readonly issues: PolicyIssue[];

  constructor(issues: PolicyIssue[]) {
    super(issues.map((issue) => issue.text).join("\n"));
    this.issues = issues;
  }
}

/** Days before its expiry from which a waiver is reported. */
export const WAIVER_WARNING_DAYS = 30;

function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const step of path) {
    if (typeof step === "number") text += `[${step}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(String(step))) {
      text += text === "" ? String(step) : `.${String(step)}`;
    } else text += `[${JSON.stringify(String(step))}]`;
  }
  return text;
}

/**
 * A policy issue with its printed form; `String(issue)` and template literals print `text`
 * too (the method is not enumerable, so the issue stays plain data).
 */
export function makeIssue(
  file: string,
  line: number | null,
  path: string,
  message: string,
): PolicyIssue {
  const place = line === null ? file : `${file}:${line}`;
  const text = path === "" ? `${place} ${message}` : `${place} ${path}: ${message}`;
  const issue: PolicyIssue = { file, line, path, message, text };
  Object.defineProperty(issue, "toString", { value: () => text, enumerable: false });
  return issue;
}

/** The node at a path, or the nearest enclosing node that exists; with the key node of a pair. */
function locate(root: unknown, path: readonly PropertyKey[], preferKey: boolean): Node | null {
  let current: unknown = root;
  let found: Node | null = isMap(root) || isSeq(root) || isScalar(root) ? (root as Node) : null;
  for (const [index, step] of path.entries()) {
    if (isMap(current)) {
      const pair = current.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(step),
      );
      if (pair === undefined || !isPair(pair)) return found;
      const last = index === path.length - 1;
      const keyNode = isScalar(pair.key) ? (pair.key as Node) : null;
      if (last && preferKey && keyNode !== null) return keyNode;
      current = pair.value;
      found = (pair.value as Node | null) ?? keyNode ?? found;
      if (pair.value === null) return keyNode ?? found;
    } else if (isSeq(current) && typeof step === "number") {
      const item = current.items[step];
      if (item === undefined) return found;
      current = item;
      found = item as Node;
    } else {
      return found;
    }
  }
  return found;
}

function lineOf(node: Node | null, lineCounter: LineCounter): number | null {
  const offset = node?.range?.[0];
  return offset === undefined ? null : lineCounter.linePos(offset).line;
}

function describeIssue(
  issue: z.core.$ZodIssue,
): { path: PropertyKey[]; message: string; key: boolean }[] {
  const path = [...issue.path];
  const missing =
    (issue.code === "invalid_type" || issue.code === "invalid_value") && issue.input === undefined;
  if (missing) return [{ path, message: "required field is missing", key: false }];
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => ({
        path: [...path, key],
        message: `unknown field "${key}"`,
        key: true,
      }));
    case "invalid_key":
      return [{ path, message: issue.issues[0]?.message ?? issue.message, key: true }];
    default:
      return [{ path, message: issue.message, key: false }];
  }
}

function collectWaiverWarnings(
  file: string,
  policy: Policy,
  document: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  now: Date,
): PolicyIssue[] {
  const warnings: PolicyIssue[] = [];
  policy.waivers.forEach((waiver, index) => {
    const days = daysUntil(waiver.expires, now);
    if (days === null || days >= WAIVER_WARNING_DAYS) return;
    const path = ["waivers", index, "expires"];
    const line = lineOf(locate(document.contents, path, false), lineCounter);
    const message =
      days < 0
        ? `waiver for ${waiver.control} expired on ${waiver.expires} and no longer applies`
        : `waiver for ${waiver.control} expires on ${waiver.expires}, ` +
          `in ${days} day${days === 1 ? "" : "s"}`;
    warnings.push(makeIssue(file, line, formatPath(path), message));
  });
  return warnings;
}

function collectContractWarnings(
  file: string,
  policy: Policy,
  document: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  now: Date,
): PolicyIssue[] {
  const owners: [Array<string | number>, Policy["tenants"][number] | null][] = [
    [["platform"], policy.platform],
    ...policy.tenants.map((tenant, index): [Array<string | number>, typeof tenant] => [
      ["tenants", index],
      tenant,
    ]),
  ];
  const warnings: PolicyIssue[] = [];
  for (const [ownerPath, owner] of owners) {
    owner?.regions.fallback.forEach((fallback, index) => {
      const days = daysUntil(fallback.until, now);
      if (days === null || days >= WAIVER_WARNING_DAYS) return;
      const path = [...ownerPath, "regions", "fallback", index, "until"];
      const line = lineOf(locate(document.contents, path, false), lineCounter);
      const message =
        days < 0
          ? `fallback region ${fallback.region}: contract ${fallback.contract} ended on ` +
            `${fallback.until}, so the region is no longer approved`
          : `fallback region ${fallback.region}: contract ${fallback.contract} ends on ` +
            `${fallback.until}, in ${days} day${days === 1 ? "" : "s"}`;
      warnings.push(makeIssue(file, line, formatPath(path), message));
    });
  }
  return warnings;
}

/** Alias expansions a policy may use; a real policy needs a handful, an attack millions. */
const maxAliasExpansion = 1000;

/**
 * Validates the text of a policy file and applies every default. Throws a `PolicyError` naming
 * the file, line and field of each problem (YAML syntax included); returns warnings for
 * waivers and fallback contracts that have ended or end within 30 days of `now`.
 */
export function parsePolicy(
  text: string,
  fileName: string,
  options: ParsePolicyOptions,
): ParsePolicyResult {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    throw new PolicyError(
      document.errors.map((error) => {
        const offset = error.pos[0];
        return makeIssue(
          fileName,
          lineCounter.linePos(offset).line,
          "",
          `YAML syntax error: ${error.message.split("\n")[0]}`,
        );
      }),
    );
  }

  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: maxAliasExpansion }) ?? {};
  } catch (error) {
    // yaml refuses a document whose aliases expand past the limit (a "billion laughs" file).
    if (!(error instanceof ReferenceError)) throw error;
    throw new PolicyError([
      makeIssue(fileName, 1, "", `YAML aliases expand too far: ${error.message.split("\n")[0]}`),
    ]);
  }
  const result = buildPolicySchema(options.now).safeParse(data, { reportInput: true });
  if (!result.success) {
    const issues = result.error.issues.flatMap((issue) =>
      describeIssue(issue).map(({ path, message, key }) =>
        makeIssue(
          fileName,
          lineOf(locate(document.contents, path, key), lineCounter) ?? 1,
          formatPath(path),
          message,
        ),
      ),
    );
    issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    throw new PolicyError(issues);
  }

  return {
    policy: result.data,
    warnings: [
      ...collectContractWarnings(fileName, result.data, document, lineCounter, options.now),
      ...collectWaiverWarnings(fileName, result.data, document, lineCounter, options.now),
    ],
  };
}
