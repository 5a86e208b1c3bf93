import { CronExpressionParser } from "cron-parser";
import { closest } from "fastest-levenshtein";
import * as z from "zod";
import { CONTROL_IDS, isControlId } from "../controls/catalogue.js";
import { AWS_REGION_NAMES, canonicalRegion, suggestRegion } from "../regions/catalogue.js";
import { daysUntil } from "./dates.js";
import {
  DATAFLOW_STAGES,
  type ModelEntry,
  type Owner,
  PLATFORM_OWNER_ID,
  type Policy,
  type StageSelector,
} from "./types.js";

/** Longest a waiver may run, in days after the evaluation date. */
export const MAX_WAIVER_DAYS = 366;

const SEVERITIES = ["low", "medium", "high", "critical"] as const;
const AZURE_SUBSCRIPTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AWS_ACCOUNT_ID = /^\d{12}$/;
const TENANT_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const ENVIRONMENT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CRON_ALIAS = /^@(yearly|annually|monthly|weekly|daily|hourly)$/;

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return JSON.stringify(value);
}

/** A required string field with a readable message when it is missing or of another type. */
function text(what: string) {
  return z.string({
    error: (issue) =>
      issue.input === undefined
        ? `${what} is required`
        : `expected ${what} as text, got ${describeValue(issue.input)}`,
  });
}

function nonEmptyText(what: string) {
  return text(what).min(1, { error: `${what} must not be empty` });
}

const azureSubscriptionId = text("a subscription id")
  .regex(AZURE_SUBSCRIPTION_ID, {
    error: (issue) => `${describeValue(issue.input)} is not a subscription id (a GUID)`,
  })
  .transform((value) => value.toLowerCase());

const awsAccountId = z
  .string({
    error: (issue) =>
      typeof issue.input === "number"
        ? `AWS account ids must be quoted: write "${String(issue.input).padStart(12, "0")}"`
        : `expected a quoted 12-digit AWS account id, got ${describeValue(issue.input)}`,
  })
  .regex(AWS_ACCOUNT_ID, {
    error: (issue) => `${describeValue(issue.input)} is not an AWS account id (12 digits)`,
  });

const anyAccountId = z
  .string({
    error: (issue) =>
      typeof issue.input === "number"
        ? `account ids must be quoted: write "${String(issue.input).padStart(12, "0")}"`
        : `expected an account id as text, got ${describeValue(issue.input)}`,
  })
  .refine((value) => AWS_ACCOUNT_ID.test(value) || AZURE_SUBSCRIPTION_ID.test(value), {
    error: (issue) =>
      `${describeValue(issue.input)} is neither a subscription id nor a 12-digit AWS account id`,
  })
  .transform((value) => value.toLowerCase());

function regionMessage(value: string): string | null {
  const canonical = canonicalRegion(value);
  if (canonical.kind === "region") return null;
  if (canonical.kind === "geography") {
    return `"${value}" is a geography, not a region: list the regions it should allow`;
  }
  if (canonical.kind === "global") return `"${value}" is not a region`;
  const suggestion = suggestRegion(value);
  return suggestion === null
    ? `"${value}" is not a known region`
    : `"${value}" is not a known region (did you mean "${suggestion}"?)`;
}

/** A region name in any accepted spelling, turned into its canonical name. */
const regionName = text("a region name")
  .superRefine((value, context) => {
    const message = regionMessage(value);
    if (message !== null) context.addIssue({ code: "custom", message, input: value });
  })
  .transform((value) => {
    const canonical = canonicalRegion(value);
    return canonical.kind === "region" ? canonical.name : value;
  })
  .meta({ description: "Region name from the catalogue; display names are accepted." });

const awsRegionName = regionName.refine((value) => AWS_REGION_NAMES.includes(value), {
  error: (issue) => `${describeValue(issue.input)} is not an AWS region`,
});

const isoDate = z.iso
  .date({
    error: (issue) =>
      issue.input === undefined
        ? "a date is required"
        : `${describeValue(issue.input)} is not an ISO date (YYYY-MM-DD)`,
  })
  .meta({ description: "ISO date (YYYY-MM-DD), valid through the end of the day (UTC)." });

const severity = z.enum(SEVERITIES, {
  error: (issue) => `${describeValue(issue.input)} is not a severity (${SEVERITIES.join(", ")})`,
});

const controlId = text("a control id").superRefine((value, context) => {
  if (isControlId(value)) return;
  const suggestion = closest(value, [...CONTROL_IDS]);
  context.addIssue({
    code: "custom",
    input: value,
    message: `"${value}" is not a control of the catalogue (did you mean "${suggestion}"?)`,
  });
});

function cronMessage(expression: string): string | null {
  const trimmed = expression.trim();
  const fields = trimmed.split(/\s+/).length;
  if (!CRON_ALIAS.test(trimmed) && (fields < 5 || fields > 6)) {
    return `"${expression}" is not a cron expression (5 fields, or 6 with seconds)`;
  }
  try {
    CronExpressionParser.parse(trimmed);
    return null;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `"${expression}" is not a valid cron expression: ${reason}`;
  }
}

const cronExpression = text("a cron expression").superRefine((value, context) => {
  const message = cronMessage(value);
  if (message !== null) context.addIssue({ code: "custom", message, input: value });
});

const modelEntry = z
  .strictObject({
    format: nonEmptyText("a model format"),
    name: nonEmptyText("a model name"),
    version: text("a model version (quote it)").optional(),
  })
  .transform((entry): ModelEntry => ({ ...entry, version: entry.version ?? "*" }));

const stageSelector = z
  .strictObject({
    resources: z.array(nonEmptyText("a resource glob")).optional(),
    tags: z.record(z.string(), text("a tag value")).optional(),
  })
  .superRefine((selector, context) => {
    if ((selector.resources ?? []).length === 0 && Object.keys(selector.tags ?? {}).length === 0) {
      context.addIssue({
        code: "custom",
        message: "a stage selects nothing: give resources, tags or both",
        input: selector,
      });
    }
  })
  .transform(
    (selector): StageSelector => ({
      resources: selector.resources ?? [],
      tags: selector.tags ?? {},
    }),
  );

const dataflow = z.partialRecord(z.enum(DATAFLOW_STAGES), stageSelector).meta({
  description: `Stage -> selector; stages: ${DATAFLOW_STAGES.join(", ")}.`,
});

const accounts = z
  .strictObject({
    azure: z.array(azureSubscriptionId).optional(),
    aws: z.array(awsAccountId).optional(),
  })
  .superRefine((value, context) => {
    if ((value.azure ?? []).length + (value.aws ?? []).length === 0) {
      context.addIssue({
        code: "custom",
        message: "at least one account is required",
        input: value,
      });
    }
  });

const fallbackRegion = z.strictObject({
  region: regionName,
  contract: nonEmptyText("a contract reference"),
  until: isoDate,
});

const ownerFields = {
  accounts,
  regions: z.strictObject({
    allowed: z.array(regionName).min(1, { error: "at least one allowed region is required" }),
    fallback: z.array(fallbackRegion).optional(),
  }),
  processingScope: z
    .enum(["region", "datazone", "global"], {
      error: (issue) =>
        `${describeValue(issue.input)} is not a processing scope (region, datazone, global)`,
    })
    .optional(),
  models: z
    .strictObject({
      allow: z.array(modelEntry).optional(),
      deny: z.array(modelEntry).optional(),
    })
    .optional(),
  dataflow: dataflow.optional(),
};

type OwnerInput = z.output<z.ZodObject<typeof ownerFields>>;

function toOwner(id: string, name: string, input: OwnerInput): Owner {
  return {
    id,
    name,
    accounts: {
      azure: [...new Set(input.accounts.azure ?? [])],
      aws: [...new Set(input.accounts.aws ?? [])],
    },
    regions: {
      allowed: [...new Set(input.regions.allowed)],
      fallback: input.regions.fallback ?? [],
    },
    processingScope: input.processingScope ?? "region",
    models: { allow: input.models?.allow ?? [], deny: input.models?.deny ?? [] },
    dataflow: input.dataflow ?? {},
  };
}

const tenant = z.strictObject({
  id: text("a tenant id")
    .regex(TENANT_ID, {
      error: (issue) =>
        `${describeValue(issue.input)} is not a tenant id (lower-case letters, digits and dashes)`,
    })
    .refine((value) => value !== PLATFORM_OWNER_ID, {
      error: `"${PLATFORM_OWNER_ID}" is reserved for the platform accounts`,
    }),
  name: nonEmptyText("a tenant name").optional(),
  ...ownerFields,
});

const platform = z.strictObject({
  ...ownerFields,
  // Written out so that the file error says why, rather than "unknown field".
  dataflow: z
    .never({ error: "the platform has no data-flow map; dataflow belongs to tenants" })
    .optional()
    .meta({ description: "Not allowed: the platform has no data-flow map." }),
});

const controlSettings = z.strictObject({
  enabled: z
    .boolean({ error: (issue) => `expected true or false, got ${describeValue(issue.input)}` })
    .optional(),
  severity: severity.optional(),
});

const controls = z.record(controlId, controlSettings);

function waiverSchema(now: Date) {
  const expires = isoDate.superRefine((value, context) => {
    const remaining = daysUntil(value, now);
    if (remaining !== null && remaining > MAX_WAIVER_DAYS) {
      context.addIssue({
        code: "custom",
        input: value,
        message:
          `${value} is ${remaining} days away; ` + `a waiver runs at most ${MAX_WAIVER_DAYS} days`,
      });
    }
  });
  return z
    .strictObject({
      control: controlId,
      resource: nonEmptyText("a resource glob").optional(),
      account: anyAccountId.optional(),
      reason: nonEmptyText("a reason"),
      approvedBy: nonEmptyText("an approver"),
      ticket: nonEmptyText("a ticket").optional(),
      expires,
    })
    .superRefine((waiver, context) => {
      if ((waiver.resource === undefined) === (waiver.account === undefined)) {
        context.addIssue({
          code: "custom",
          message: "a waiver names either a resource or an account, not both and not neither",
          input: waiver,
        });
      }
    });
}

const sources = z.strictObject({
  azure: z
    .strictObject({
      tenantId: text("an Entra tenant id")
        .regex(AZURE_SUBSCRIPTION_ID, {
          error: (issue) => `${describeValue(issue.input)} is not an Entra tenant id (a GUID)`,
        })
        .optional(),
    })
    .optional(),
  aws: z
    .strictObject({
      regions: z.array(awsRegionName).min(1, { error: "list at least one region" }).optional(),
      aggregator: z
        .strictObject({
          name: nonEmptyText("an aggregator name"),
          account: awsAccountId,
          region: awsRegionName,
        })
        .optional(),
      roleName: nonEmptyText("a role name").optional(),
    })
    .optional(),
});

const schedule = z.strictObject({
  cron: cronExpression.optional(),
  accounts: z.record(anyAccountId, cronExpression).optional(),
});

const notifications = z.strictObject({
  slack: z
    .strictObject({
      webhookUrlEnv: text("an environment variable name").regex(ENVIRONMENT_NAME, {
        error: (issue) =>
          `${describeValue(issue.input)} is not an environment variable name ` +
          "(the URL itself never sits in the file)",
      }),
      minSeverity: severity.optional(),
    })
    .optional(),
});

/** Default cron schedule: every 60 minutes. */
export const DEFAULT_SCHEDULE_CRON = "0 * * * *";

/**
 * The policy schema for an evaluation date: waivers may run at most 366 days after `now`.
 * Parsing yields a `Policy` with every default of POLICY.md applied.
 */
export function buildPolicySchema(now: Date) {
  return z
    .strictObject({
      version: z.literal(1, {
        error: (issue) =>
          issue.input === undefined
            ? "version is required"
            : `version ${describeValue(issue.input)} is not supported (expected 1)`,
      }),
      platform: platform.optional(),
      tenants: z
        .array(tenant, {
          error: (issue) =>
            issue.input === undefined
              ? "tenants is required"
              : `expected a list of tenants, got ${describeValue(issue.input)}`,
        })
        .optional(),
      controls: controls.optional(),
      waivers: z.array(waiverSchema(now)).optional(),
      sources: sources.optional(),
      schedule: schedule.optional(),
      notifications: notifications.optional(),
    })
    .superRefine((file, context) => {
      if (file.platform === undefined && (file.tenants ?? []).length === 0) {
        context.addIssue({
          code: "custom",
          path: file.tenants === undefined ? [] : ["tenants"],
          input: file.tenants,
          message: "the policy names no accounts: add a tenant, or the platform, with its accounts",
        });
      }
      const seen = new Map<string, number>();
      (file.tenants ?? []).forEach((entry, index) => {
        const first = seen.get(entry.id);
        if (first !== undefined) {
          context.addIssue({
            code: "custom",
            path: ["tenants", index, "id"],
            input: entry.id,
            message: `tenant id "${entry.id}" is already used by tenants[${first}]`,
          });
        } else {
          seen.set(entry.id, index);
        }
      });
      const listed = new Set<string>([
        ...(file.platform?.accounts.azure ?? []),
        ...(file.platform?.accounts.aws ?? []),
        ...(file.tenants ?? []).flatMap((t) => [
          ...(t.accounts.azure ?? []),
          ...(t.accounts.aws ?? []),
        ]),
      ]);
      for (const account of Object.keys(file.schedule?.accounts ?? {})) {
        if (!listed.has(account.toLowerCase())) {
          context.addIssue({
            code: "custom",
            path: ["schedule", "accounts", account],
            input: account,
            message: `account "${account}" has a schedule but no owner in this file`,
          });
        }
      }
    })
    .transform(
      (file): Policy => ({
        version: 1,
        platform:
          file.platform === undefined
            ? null
            : toOwner(PLATFORM_OWNER_ID, "Platform", file.platform),
        tenants: (file.tenants ?? []).map((t) => toOwner(t.id, t.name ?? t.id, t)),
        controls: Object.fromEntries(
          Object.entries(file.controls ?? {}).map(([id, settings]) => [
            id,
            settings.severity === undefined
              ? { enabled: settings.enabled ?? true }
              : { enabled: settings.enabled ?? true, severity: settings.severity },
          ]),
        ),
        waivers: (file.waivers ?? []).map((w) => ({
          control: w.control,
          resource: w.resource ?? null,
          account: w.account ?? null,
          reason: w.reason,
          approvedBy: w.approvedBy,
          ticket: w.ticket ?? null,
          expires: w.expires,
        })),
        sources: {
          azure: { tenantId: file.sources?.azure?.tenantId ?? null },
          aws: {
            regions: file.sources?.aws?.regions ?? [...AWS_REGION_NAMES],
            aggregator: file.sources?.aws?.aggregator ?? null,
            roleName: file.sources?.aws?.roleName ?? null,
          },
        },
        schedule: {
          cron: file.schedule?.cron ?? DEFAULT_SCHEDULE_CRON,
          accounts: Object.fromEntries(
            Object.entries(file.schedule?.accounts ?? {}).map(([account, cron]) => [
              account.toLowerCase(),
              cron,
            ]),
          ),
        },
        notifications: {
          slack:
            file.notifications?.slack === undefined
              ? null
              : {
                  webhookUrlEnv: file.notifications.slack.webhookUrlEnv,
                  minSeverity: file.notifications.slack.minSeverity ?? "high",
                },
        },
      }),
    );
}
