import { isAbsent, isRecord, readArray, readPath } from "../../canonical/document.js";
import type { CanonicalResource, Evidence } from "../../model.js";
import type { ProcessingScope } from "../../policy/types.js";
import { awsGeographyOf, dataZoneOf } from "../../regions/catalogue.js";
import type { ResourceControl, VerdictRow } from "../types.js";
import {
  checkCollected,
  derived,
  describeResource,
  formatValue,
  observe,
  row,
} from "../verdicts.js";

const SCOPE_WIDTH: Record<ProcessingScope, number> = { region: 0, datazone: 1, global: 2 };

/** Azure deployment types (`sku.name`, lower case) and where each processes prompts: closed. */
const AZURE_DEPLOYMENT_SCOPES: ReadonlyMap<string, ProcessingScope> = new Map([
  ["standard", "region"],
  ["provisionedmanaged", "region"],
  ["datazonestandard", "datazone"],
  ["datazoneprovisionedmanaged", "datazone"],
  ["datazonebatch", "datazone"],
  ["globalstandard", "global"],
  ["globalprovisionedmanaged", "global"],
  ["globalbatch", "global"],
  // The developer tier carries no residency guarantee at all.
  ["developertier", "global"],
]);

/** Prefixes of Bedrock's geographic cross-Region inference profiles (`eu.anthropic…`). */
// Limitation: the geographic prefixes are a list of 2026; a profile of a geography Bedrock adds
// later reads as an error naming its prefix until the list is updated.
const BEDROCK_GEOGRAPHY_PREFIXES = new Set(["us", "us-gov", "eu", "apac", "jp", "au", "ca"]);

const BEDROCK_ARN =
  /^arn:aws[a-z-]*:bedrock:([a-z0-9-]*):(\d{12})?:(foundation-model|inference-profile)\/(.+)$/i;

const SKU_NAME = "sku.name";
const COPY_FROM = "configuration.ModelSource.CopyFrom";
const MODELS = "configuration.Models";

/** Where a deployment processes prompts, or why that cannot be told. */
type ScopeReading =
  | { kind: "scope"; scope: ProcessingScope; because: string; evidence: Evidence[] }
  | { kind: "unreadable"; because: string; evidence: Evidence[] };

function readAzureDeployment(resource: CanonicalResource): ScopeReading {
  const sku = readPath(resource.raw, SKU_NAME);
  const evidence = [observe(resource, SKU_NAME, "a deployment type within the owner's scope")];
  if (typeof sku !== "string" || sku === "") {
    return {
      kind: "unreadable",
      because: `${SKU_NAME} is ${formatValue(sku)}, so the deployment type is unknown`,
      evidence,
    };
  }
  const scope = AZURE_DEPLOYMENT_SCOPES.get(sku.toLowerCase());
  if (scope === undefined) {
    return {
      kind: "unreadable",
      because: `${SKU_NAME} ${formatValue(sku)} is a deployment type this control does not know`,
      evidence,
    };
  }
  if (scope !== "datazone") {
    return { kind: "scope", scope, because: `deployment type ${formatValue(sku)}`, evidence };
  }

  // A data-zone deployment processes prompts in the data zone of its account's region.
  const zone = resource.region === null ? null : dataZoneOf(resource.region);
  const parent = resource.references.find((reference) => reference.kind === "parent");
  const regionEvidence = derived(
    `${parent?.target ?? "parent account"}#location`,
    resource.region ?? undefined,
    "a region that belongs to a data zone",
  );
  if (zone === null) {
    return {
      kind: "unreadable",
      because:
        resource.region === null
          ? `deployment type ${formatValue(sku)} needs a data zone, but the account's region ` +
            "is unknown"
          : `deployment type ${formatValue(sku)} needs a data zone, but the account's region ` +
            `${formatValue(resource.region)} belongs to none`,
      evidence: [...evidence, regionEvidence],
    };
  }
  return {
    kind: "scope",
    scope,
    because: `deployment type ${formatValue(sku)} in data zone ${zone} (${resource.region})`,
    evidence: [...evidence, regionEvidence],
  };
}

function readCopySource(copyFrom: string, evidence: Evidence[]): ScopeReading {
  const arn = BEDROCK_ARN.exec(copyFrom.trim());
  if (arn === null) {
    return {
      kind: "unreadable",
      because: `${COPY_FROM} ${formatValue(copyFrom)} is not a foundation model or system inference profile ARN`,
      evidence,
    };
  }
  const region = arn[1] ?? "";
  const profile = arn[4] ?? "";
  if (arn[3]?.toLowerCase() === "foundation-model") {
    return {
      kind: "scope",
      scope: "region",
      because: `copied from a foundation model in ${region}`,
      evidence,
    };
  }
  const prefix = profile.includes(".") ? profile.slice(0, profile.indexOf(".")).toLowerCase() : "";
  if (prefix === "global") {
    return {
      kind: "scope",
      scope: "global",
      because: `copied from the global profile ${profile}`,
      evidence,
    };
  }
  if (BEDROCK_GEOGRAPHY_PREFIXES.has(prefix)) {
    return {
      kind: "scope",
      scope: "datazone",
      because: `copied from the geographic profile ${profile} (${prefix}.)`,
      evidence,
    };
  }
  return {
    kind: "unreadable",
    because: `${COPY_FROM} names inference profile ${formatValue(profile)}, whose prefix this control does not know`,
    evidence,
  };
}

function readModelRegions(resource: CanonicalResource): ScopeReading {
  const models = readArray(resource.raw, MODELS);
  const evidence = [observe(resource, MODELS, "models in one region or one geography")];
  if (models.length === 0) {
    return {
      kind: "unreadable",
      because: `the profile has neither ${COPY_FROM} nor any ${MODELS}[].ModelArn`,
      evidence,
    };
  }
  const regions = new Set<string>();
  for (const model of models) {
    const modelArn = isRecord(model) ? model.ModelArn : undefined;
    const arn = typeof modelArn === "string" ? BEDROCK_ARN.exec(modelArn.trim()) : null;
    const region = arn?.[1]?.toLowerCase() ?? "";
    if (region === "" || awsGeographyOf(region) === null) {
      return {
        kind: "unreadable",
        because: `${MODELS}[].ModelArn ${formatValue(modelArn)} names no known region`,
        evidence,
      };
    }
    regions.add(region);
  }
  const geographies = new Set([...regions].map((region) => awsGeographyOf(region)));
  const listed = [...regions].sort().join(", ");
  if (regions.size === 1) {
    return { kind: "scope", scope: "region", because: `its models are in ${listed}`, evidence };
  }
  if (geographies.size === 1) {
    return {
      kind: "scope",
      scope: "datazone",
      because: `its models span ${listed}, one geography`,
      evidence,
    };
  }
  return {
    kind: "scope",
    scope: "global",
    because: `its models span ${listed}, more than one geography`,
    evidence,
  };
}

function readInferenceProfile(resource: CanonicalResource): ScopeReading {
  const copyFrom = readPath(resource.raw, COPY_FROM);
  if (isAbsent(copyFrom)) {
    return readModelRegions(resource);
  }
  const evidence = [observe(resource, COPY_FROM, "a model source within the owner's scope")];
  if (typeof copyFrom !== "string") {
    return {
      kind: "unreadable",
      because: `${COPY_FROM} is ${formatValue(copyFrom)}, not an ARN`,
      evidence,
    };
  }
  return readCopySource(copyFrom, evidence);
}

// Limitation: the scope of a Bedrock profile is read from its model source as recorded by AWS
// Config; the field names follow CloudFormation and have not been checked against a live item.

/** Model deployments process prompts no wider than the owner's processing scope. */
export const aiProcessingScope: ResourceControl = {
  id: "residency.ai-processing-scope",
  scope: "resource",
  title: "Model deployments process prompts no wider than their owner's processing scope",
  severity: "critical",
  rationale:
    "Global and data-zone deployments send prompts and completions to whichever region has " +
    "capacity, so data the organisation keeps at home may be processed abroad even though the " +
    "resource itself sits in an allowed region. The deployment type decides that, not the " +
    "account's location.",
  remediation: {
    azure:
      "Redeploy the model with a deployment type whose processing stays within the owner's " +
      "scope (Standard or ProvisionedManaged for one region, a DataZone type for the data zone) " +
      "and switch clients to the new deployment; remove the global or developer deployment.",
    aws:
      "Recreate the application inference profile from a foundation model in an allowed region, " +
      "or from a geographic (not global) cross-Region profile when the owner allows a data " +
      "zone, and point callers at the new profile ARN.",
  },
  references: [
    {
      kind: "documentation",
      title: "Azure OpenAI deployment types and data processing locations",
      url: "https://learn.microsoft.com/en-us/azure/ai-services/openai/how-to/deployment-types",
      provider: "azure",
    },
    {
      kind: "documentation",
      title: "Amazon Bedrock: geographic cross-Region inference",
      url: "https://docs.aws.amazon.com/bedrock/latest/userguide/geographic-cross-region-inference.html",
      provider: "aws",
    },
  ],
  resourceTypes: [
    "Microsoft.CognitiveServices/accounts/deployments",
    "AWS::Bedrock::ApplicationInferenceProfile",
  ],

  evaluate(resource, context): VerdictRow {
    const notCollected = checkCollected(resource);
    if (notCollected !== null) return notCollected;

    const name = describeResource(resource);
    const allowed = context.owner.processingScope;
    const reading =
      resource.provider === "azure"
        ? readAzureDeployment(resource)
        : readInferenceProfile(resource);
    if (reading.kind === "unreadable") {
      return row(
        "error",
        `${name}: ${reading.because}; cannot tell where it processes prompts ` +
          `(${context.owner.id} allows ${allowed})`,
        reading.evidence,
      );
    }
    const evidence = [
      ...reading.evidence,
      derived("processingScope", reading.scope, `${allowed} or narrower`),
    ];
    if (SCOPE_WIDTH[reading.scope] <= SCOPE_WIDTH[allowed]) {
      return row(
        "pass",
        `${name} processes prompts within scope ${reading.scope} (${reading.because}); ` +
          `${context.owner.id} allows ${allowed}`,
        evidence,
      );
    }
    return row(
      "fail",
      `${name} processes prompts within scope ${reading.scope} (${reading.because}), wider than ` +
        `${context.owner.id}'s processing scope ${allowed}; expected ${allowed} or narrower`,
      evidence,
    );
  },
};
