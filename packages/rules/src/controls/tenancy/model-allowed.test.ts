import { describe, expect, it } from "vitest";
import { TEST_AWS_ACCOUNT } from "../../../test/support/aws-items.js";
import { contextWith, ownerWith } from "../../../test/support/evaluation.js";
import { armDocumentsOf, azureFixture } from "../../../test/support/fixtures.js";
import { fromArmDocument } from "../../canonical/from-arm-document.js";
import { fromConfigItem } from "../../canonical/from-config-item.js";
import type { ModelEntry } from "../../policy/types.js";
import { modelAllowed } from "./model-allowed.js";

function deployment(model?: Record<string, unknown>): Record<string, unknown> {
  const [document] = armDocumentsOf(
    azureFixture("Microsoft.CognitiveServices_accounts_deployments.list.arm.real.json"),
  );
  const copy = structuredClone(document) as Record<string, unknown>;
  if (model !== undefined) (copy.properties as Record<string, unknown>).model = model;
  return copy;
}

function judge(document: Record<string, unknown>, allow: ModelEntry[], deny: ModelEntry[] = []) {
  const owner = ownerWith({ id: "retail", models: { allow, deny } });
  return modelAllowed.evaluate(fromArmDocument(document), contextWith({ owner }));
}

const MINI: ModelEntry = { format: "OpenAI", name: "gpt-4o-mini", version: "2024-07-18" };

describe("tenancy.model-allowed on Azure deployments", () => {
  it("passes a deployment whose format, name and version are on the allowlist", () => {
    const verdict = judge(deployment(), [MINI]);
    expect(verdict.status).toBe("pass");
    expect(verdict.message).toContain("OpenAI gpt-4o-mini 2024-07-18 is on retail's allowlist");
    expect(verdict.evidence).toEqual([
      {
        path: "properties.model.format",
        actual: "OpenAI",
        expected: "a model on the owner's allowlist and not on its denylist",
      },
      {
        path: "properties.model.name",
        actual: "gpt-4o-mini",
        expected: "a model on the owner's allowlist and not on its denylist",
      },
      {
        path: "properties.model.version",
        actual: "2024-07-18",
        expected: "a model on the owner's allowlist and not on its denylist",
      },
    ]);
  });

  it("matches an entry whose version is * and compares names without case", () => {
    const entry = { format: "openai", name: "GPT-4o-Mini", version: "*" };
    expect(judge(deployment(), [entry]).status).toBe("pass");
  });

  it("fails another version of an allowed model", () => {
    const verdict = judge(deployment(), [{ ...MINI, version: "2025-01-01" }]);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("is not on retail's allowlist");
  });

  it("fails a model on the denylist even when the allowlist names it (deny wins)", () => {
    const deny = { format: "OpenAI", name: "gpt-4o-mini", version: "*" };
    const verdict = judge(deployment(), [MINI], [deny]);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("is on retail's denylist");
  });

  it("fails every deployment when the owner allows no model", () => {
    const verdict = judge(deployment(), []);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("which allows no model");
  });

  it("is an error when a model field is missing, naming it", () => {
    const verdict = judge(deployment({ format: "OpenAI", name: "gpt-4o-mini", version: null }), [
      MINI,
    ]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("properties.model.version null");
    expect(verdict.evidence).toEqual([
      {
        path: "properties.model.version",
        actual: null,
        expected: "a model on the owner's allowlist and not on its denylist",
      },
    ]);
  });

  it("is an error when the deployment document has no properties", () => {
    const { properties: _, ...bare } = deployment();
    expect(judge(bare, [MINI]).status).toBe("error");
  });
});

const PROFILE_ARN = `arn:aws:bedrock:eu-west-1:${TEST_AWS_ACCOUNT}:application-inference-profile/r4t8a1l2p9x3`;
const SONNET = "anthropic.claude-3-5-sonnet-20240620-v1:0";

/** An application inference profile item with CloudFormation field names under `configuration`. */
function profile(models: unknown, status = "OK") {
  return fromConfigItem({
    version: "1.3",
    accountId: TEST_AWS_ACCOUNT,
    configurationItemStatus: status,
    resourceType: "AWS::Bedrock::ApplicationInferenceProfile",
    resourceId: "r4t8a1l2p9x3",
    resourceName: "assistant-eu",
    arn: PROFILE_ARN,
    awsRegion: "eu-west-1",
    configuration: {
      InferenceProfileName: "assistant-eu",
      ModelSource: {
        CopyFrom: `arn:aws:bedrock:eu-west-1:${TEST_AWS_ACCOUNT}:inference-profile/eu.${SONNET}`,
      },
      InferenceProfileArn: PROFILE_ARN,
      Models: models,
      Status: "ACTIVE",
      Type: "APPLICATION",
    },
    supplementaryConfiguration: {},
  });
}

const EU_MODELS = ["eu-central-1", "eu-west-1", "eu-west-3"].map((region) => ({
  ModelArn: `arn:aws:bedrock:${region}::foundation-model/${SONNET}`,
}));

function judgeProfile(
  item: ReturnType<typeof profile>,
  allow: ModelEntry[],
  deny: ModelEntry[] = [],
) {
  const owner = ownerWith({ id: "retail", models: { allow, deny } });
  return modelAllowed.evaluate(item, contextWith({ owner }));
}

describe("tenancy.model-allowed on Bedrock application inference profiles", () => {
  it("passes a profile whose foundation model is allowed, whatever version the entry names", () => {
    const verdict = judgeProfile(profile(EU_MODELS), [
      { format: "Bedrock", name: SONNET, version: "2024-06-20" },
    ]);
    expect(verdict.status).toBe("pass");
    expect(verdict.message).toContain(`Bedrock ${SONNET} is on retail's allowlist`);
    expect(verdict.evidence.map((e) => e.path)).toEqual([
      "configuration.Models[0].ModelArn",
      "configuration.Models[1].ModelArn",
      "configuration.Models[2].ModelArn",
    ]);
  });

  it("fails a profile whose model is denied", () => {
    const entry = { format: "bedrock", name: SONNET.toUpperCase(), version: "*" };
    expect(judgeProfile(profile(EU_MODELS), [entry], [entry]).status).toBe("fail");
  });

  it("fails a profile whose model is not on the allowlist", () => {
    const verdict = judgeProfile(profile(EU_MODELS), [
      { format: "OpenAI", name: SONNET, version: "*" },
    ]);
    expect(verdict.status).toBe("fail");
  });

  it("is an error when the profile lists no models", () => {
    for (const models of [undefined, []]) {
      const verdict = judgeProfile(profile(models), [
        { format: "Bedrock", name: SONNET, version: "*" },
      ]);
      expect(verdict.status).toBe("error");
    }
  });

  it("is an error when a model ARN names no foundation model", () => {
    const models = [
      { ModelArn: `arn:aws:bedrock:eu-west-1:${TEST_AWS_ACCOUNT}:inference-profile/eu.${SONNET}` },
    ];
    const verdict = judgeProfile(profile(models), [
      { format: "Bedrock", name: SONNET, version: "*" },
    ]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("configuration.Models[0].ModelArn");
  });

  it("is an error for a profile AWS Config did not record", () => {
    const verdict = judgeProfile(profile(EU_MODELS, "ResourceNotRecorded"), [
      { format: "Bedrock", name: SONNET, version: "*" },
    ]);
    expect(verdict.status).toBe("error");
  });
});
