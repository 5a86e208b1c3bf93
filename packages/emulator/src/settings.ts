import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { EstateError, requireEstateDirectory } from "./estate-error.js";

/** The kinds of fault the emulator can inject. */
export type FaultKind = "throttle" | "server-error" | "malformed" | "fail-page";

/** One fault rule: which requests it hits and what they receive instead of the real answer. */
export interface FaultRule {
  /**
   * Operation it targets: an AWS operation name (`SelectResourceConfig`) or an Azure one
   * (`resourceGraph`, `listSubscriptions`, `listVaultKeys`, `listDeployments`,
   * `listDiagnosticSettings`, `listResources`, `getResource`). Absent = every operation.
   */
  operation?: string;
  /**
   * `throttle`: AWS 400 `ThrottlingException` / Azure 429 `RateLimiting`; `server-error`: a 500
   * (or `status`); `malformed`: 200 with a truncated body; `fail-page`: page `page` fails with 500.
   */
  kind: FaultKind;
  /** How many requests it hits before it stops; absent = every matching request. */
  times?: number;
  /** AWS account id or Azure subscription id the request must be for; absent = any. */
  account?: string;
  /** AWS region of the request's credential scope; absent = any. */
  region?: string;
  /** Page number (1 = the first page) for `fail-page`. */
  page?: number;
  /** HTTP status of a `server-error`: 500 (default) or 503. */
  status?: 500 | 503;
}

/** What estate.yaml holds; every field is optional. */
export interface EstateSettings {
  /** Accounts served even when no document belongs to them. */
  accounts?: { azure?: string[]; aws?: string[] };
  aws?: {
    /** The one Config aggregator: its name, the account that holds it and its region. */
    aggregator?: { name: string; account: string; region: string };
    /** Per AWS account: regions whose calls are refused as if the region were not enabled. */
    accounts?: Record<string, { disabledRegions?: string[] }>;
    /**
     * The region whose recorder records the global types (IAM, Route 53, CloudFront): a
     * per-account call there also returns items whose `awsRegion` is `global`. Default us-east-1.
     */
    globalResourceRegion?: string;
  };
  azure?: {
    /** Resource Graph quota per bearer token: queries per window (default 15 per 5 s). */
    quota?: { queries?: number; windowSeconds?: number };
    /** Tenant id reported for subscriptions and rows without one (default 1111…1111). */
    tenantId?: string;
    /** Display names of subscriptions for `GET /subscriptions` (default: the id). */
    subscriptionNames?: Record<string, string>;
  };
  /** Page sizes used when the request does not ask for one (maximums stay the cloud's). */
  pageSize?: { resourceGraph?: number; armList?: number; config?: number };
  /** Delay added before every response, in milliseconds. */
  latencyMs?: number;
  /** Faults to inject, checked in order; the first matching rule wins. */
  faults?: FaultRule[];
}

const awsAccountIdSchema = z
  .string({ error: "must be a quoted 12-digit AWS account id" })
  .regex(/^\d{12}$/, "must be a 12-digit AWS account id");

const subscriptionIdSchema = z
  .string({ error: "must be a subscription id string" })
  .regex(/^[^/\s]+$/, "must be a subscription id without slashes or spaces");

const faultSchema = z
  .strictObject({
    operation: z.string().min(1).optional(),
    kind: z.enum(["throttle", "server-error", "malformed", "fail-page"]),
    times: z.number().int().positive().optional(),
    account: z.string().min(1).optional(),
    region: z.string().min(1).optional(),
    page: z.number().int().min(1).optional(),
    status: z.union([z.literal(500), z.literal(503)]).optional(),
  })
  .refine((fault) => fault.kind !== "fail-page" || fault.page !== undefined, {
    message: "a fail-page fault needs `page`",
    path: ["page"],
  });

const pageSizeSchema = (maximum: number, fallback: number) =>
  z.number().int().min(1).max(maximum).default(fallback);

const settingsSchema = z.strictObject({
  accounts: z
    .strictObject({
      azure: z.array(subscriptionIdSchema).default([]),
      aws: z.array(awsAccountIdSchema).default([]),
    })
    .default({ azure: [], aws: [] }),
  aws: z
    .strictObject({
      aggregator: z
        .strictObject({
          name: z.string().min(1),
          account: awsAccountIdSchema,
          region: z.string().min(1),
        })
        .optional(),
      accounts: z
        .record(
          awsAccountIdSchema,
          z.strictObject({ disabledRegions: z.array(z.string().min(1)).default([]) }),
        )
        .default({}),
      globalResourceRegion: z.string().min(1).default("us-east-1"),
    })
    .default({ accounts: {}, globalResourceRegion: "us-east-1" }),
  azure: z
    .strictObject({
      quota: z
        .strictObject({
          queries: z.number().int().min(1).default(15),
          windowSeconds: z.number().positive().default(5),
        })
        .default({ queries: 15, windowSeconds: 5 }),
      tenantId: z.string().min(1).default("11111111-1111-1111-1111-111111111111"),
      subscriptionNames: z.record(z.string(), z.string()).default({}),
    })
    .default({
      quota: { queries: 15, windowSeconds: 5 },
      tenantId: "11111111-1111-1111-1111-111111111111",
      subscriptionNames: {},
    }),
  pageSize: z
    .strictObject({
      resourceGraph: pageSizeSchema(1000, 1000),
      armList: pageSizeSchema(1000, 100),
      config: pageSizeSchema(100, 100),
    })
    .default({ resourceGraph: 1000, armList: 100, config: 100 }),
  latencyMs: z.number().min(0).default(0),
  faults: z.array(faultSchema).default([]),
});

/** Settings after defaults were applied. */
export type ResolvedSettings = z.output<typeof settingsSchema>;

/** A resolved fault rule. */
export type ResolvedFaultRule = ResolvedSettings["faults"][number];

/** The name of the optional settings file inside an estate directory. */
export const settingsFileName = "estate.yaml";

/**
 * Reads estate.yaml (when present), lets each top-level key of `overrides` replace the file's
 * value, and validates the result. Errors name the file, the line (when known) and the field.
 */
export async function loadSettings(
  estateDir: string,
  overrides: EstateSettings | undefined,
): Promise<ResolvedSettings> {
  await requireEstateDirectory(estateDir);
  const filePath = join(estateDir, settingsFileName);
  const text = await readOptionalFile(filePath);
  const fromFile = text === undefined ? {} : parseSettingsYaml(filePath, text);

  const merged = { ...fromFile.values, ...overrides };
  const parsed = settingsSchema.safeParse(merged);
  if (parsed.success) return parsed.data;

  const messages = parsed.error.issues.map((issue) => {
    // An unknown key is reported at its own line rather than at its parent's.
    const path =
      issue.code === "unrecognized_keys" && issue.keys[0] !== undefined
        ? [...issue.path, issue.keys[0]]
        : issue.path;
    const message = issue.code === "unrecognized_keys" ? "is not a known setting" : issue.message;
    const topKey = path[0];
    const fromOverrides =
      overrides !== undefined && typeof topKey === "string" && topKey in overrides;
    const where = fromOverrides ? "settings" : describeLocation(filePath, fromFile, path);
    return `${where} ${formatPath(path)}: ${message}`;
  });
  throw new EstateError(`invalid estate settings:\n  ${messages.join("\n  ")}`);
}

interface ParsedYaml {
  values?: Record<string, unknown>;
  locate?: (path: PropertyKey[]) => number | undefined;
}

function parseSettingsYaml(filePath: string, text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  const firstError = document.errors[0];
  if (firstError !== undefined) {
    const line = firstError.linePos?.[0].line;
    throw new EstateError(
      `${filePath}${line === undefined ? "" : `:${line}`}: ${firstError.message}`,
    );
  }

  const values: unknown = document.toJS() ?? {};
  if (typeof values !== "object" || values === null || Array.isArray(values)) {
    throw new EstateError(`${filePath}: the file must hold a mapping of settings`);
  }
  const locate = (path: PropertyKey[]): number | undefined => {
    for (let depth = path.length; depth > 0; depth -= 1) {
      const node = document.getIn(path.slice(0, depth), true) as { range?: [number] } | undefined;
      if (node?.range !== undefined) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { values: values as Record<string, unknown>, locate };
}

function describeLocation(filePath: string, parsed: ParsedYaml, path: PropertyKey[]): string {
  const line = parsed.locate?.(path);
  return line === undefined ? filePath : `${filePath}:${line}`;
}

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return "(root)";
  return path
    .map((key, index) => {
      if (typeof key === "number") return `[${key}]`;
      return index === 0 ? String(key) : `.${String(key)}`;
    })
    .join("");
}

async function readOptionalFile(filePath: string): Promise<string | undefined> {
  try {
    return await readFile(filePath, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
