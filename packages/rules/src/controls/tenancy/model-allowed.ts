import { equalsIgnoreCase, isAbsent, readArray, readPath } from "../../canonical/document.js";
import type { CanonicalResource, Evidence } from "../../model.js";
import type { ModelEntry, Owner } from "../../policy/types.js";
import type { ResourceControl, VerdictRow } from "../types.js";
import { checkCollected, describeResource, formatValue, observe, row } from "../verdicts.js";

/** A model as a deployment names it; `version` null where the cloud does not version it. */
interface DeployedModel {
  format: string;
  name: string;
  version: string | null;
  /** Where the model was read, for evidence. */
  path: string;
}

const EXPECTED = "a model on the owner's allowlist and not on its denylist";
const MODELS = "configuration.Models";
const FOUNDATION_MODEL = /foundation-model\/(.+)$/i;

function matches(entry: ModelEntry, model: DeployedModel): boolean {
  if (!equalsIgnoreCase(entry.format, model.format) || !equalsIgnoreCase(entry.name, model.name)) {
    return false;
  }
  return (
    entry.version === "*" ||
    model.version === null ||
    equalsIgnoreCase(entry.version, model.version)
  );
}

function describeModel(model: DeployedModel): string {
  return model.version === null
    ? `${model.format} ${model.name}`
    : `${model.format} ${model.name} ${model.version}`;
}

function describeEntry(entry: ModelEntry): string {
  return `{ format: ${entry.format}, name: ${entry.name}, version: ${entry.version} }`;
}

/** The Azure deployment's model, or the paths of the fields that are missing. */
function readAzureModel(resource: CanonicalResource): DeployedModel[] | string[] {
  const fields = ["format", "name", "version"] as const;
  const values = fields.map((field) => readPath(resource.raw, `properties.model.${field}`));
  const missing = fields
    .filter((_, index) => typeof values[index] !== "string" || isAbsent(values[index]))
    .map((field) => `properties.model.${field}`);
  if (missing.length > 0) return missing;
  const [format, name, version] = values as [string, string, string];
  return [{ format, name, version, path: "properties.model" }];
}

/** The Bedrock foundation models of an application inference profile, or what is missing. */
function readBedrockModels(resource: CanonicalResource): DeployedModel[] | string[] {
  const models = readArray(resource.raw, MODELS);
  if (models.length === 0) return [`${MODELS}[].ModelArn`];
  const read: DeployedModel[] = [];
  const missing: string[] = [];
  models.forEach((model, index) => {
    const path = `${MODELS}[${index}].ModelArn`;
    const arn = readPath(model, "ModelArn");
    const name = typeof arn === "string" ? FOUNDATION_MODEL.exec(arn)?.[1] : undefined;
    if (name === undefined || name === "") missing.push(path);
    else if (!read.some((m) => equalsIgnoreCase(m.name, name))) {
      read.push({ format: "Bedrock", name, version: null, path });
    }
  });
  return missing.length > 0 ? missing : read;
}

type ModelJudgement = { status: "pass" | "fail"; text: string };

function judgeModel(model: DeployedModel, owner: Owner): ModelJudgement {
  const denied = owner.models.deny.find((entry) => matches(entry, model));
  if (denied !== undefined) {
    return {
      status: "fail",
      text: `${describeModel(model)} is on ${owner.id}'s denylist (${describeEntry(denied)})`,
    };
  }
  const allowed = owner.models.allow.find((entry) => matches(entry, model));
  if (allowed !== undefined) {
    return {
      status: "pass",
      text: `${describeModel(model)} is on ${owner.id}'s allowlist (${describeEntry(allowed)})`,
    };
  }
  const why = owner.models.allow.length === 0 ? ", which allows no model" : "";
  return {
    status: "fail",
    text: `${describeModel(model)} is not on ${owner.id}'s allowlist${why}`,
  };
}

/** Every model deployment runs a model its owner allows. */
export const modelAllowed: ResourceControl = {
  id: "tenancy.model-allowed",
  scope: "resource",
  title: "Every model deployment runs a model its owner allows and does not deny",
  severity: "critical",
  rationale:
    "Which models a business unit may use is a decision of its risk and data-protection review: " +
    "model versions differ in data handling, retention and evaluation results. A deployment of " +
    "a model that was never approved, or that was withdrawn, bypasses that review.",
  remediation: {
    azure:
      "Delete the deployment or redeploy it with an allowed model format, name and version; if " +
      "the model has been approved, add it to the tenant's models.allow in the policy file.",
    aws:
      "Delete the application inference profile or recreate it from an allowed foundation model; " +
      "if the model has been approved, add it (format Bedrock) to the tenant's models.allow.",
  },
  references: [
    {
      kind: "azure-policy",
      name: "Cognitive Services Deployments should only use approved Registry Models",
    },
    {
      kind: "documentation",
      title: "Identity-based policy examples for Amazon Bedrock (deny inference on models)",
      url: "https://docs.aws.amazon.com/bedrock/latest/userguide/security_iam_id-based-policy-examples.html",
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
    const read =
      resource.provider === "azure" ? readAzureModel(resource) : readBedrockModels(resource);
    if (read.length > 0 && typeof read[0] === "string") {
      const missing = read as string[];
      const seen = missing.map((path) => `${path} ${formatValue(readPath(resource.raw, path))}`);
      return row(
        "error",
        `${name} does not name its model fully (${seen.join(", ")}); ` +
          "the model cannot be checked against the allowlist",
        missing.map((path): Evidence => observe(resource, path, EXPECTED)),
      );
    }
    const models = read as DeployedModel[];
    const evidence: Evidence[] =
      resource.provider === "azure"
        ? ["format", "name", "version"].map((field) =>
            observe(resource, `properties.model.${field}`, EXPECTED),
          )
        : readArray(resource.raw, MODELS).map((_, index) =>
            observe(resource, `${MODELS}[${index}].ModelArn`, EXPECTED),
          );
    const judgements = models.map((model) => judgeModel(model, context.owner));
    const failed = judgements.filter((j) => j.status === "fail");
    if (failed.length > 0) {
      return row(
        "fail",
        `${name} runs a model ${context.owner.id} does not allow: ` +
          `${failed.map((j) => j.text).join("; ")}; expected ${EXPECTED}`,
        evidence,
      );
    }
    return row(
      "pass",
      `${name} runs allowed models: ${judgements.map((j) => j.text).join("; ")}`,
      evidence,
    );
  },
};
