import { describe, expect, it } from "vitest";
import {
  dataflowPolicy,
  PLATFORM_SUBSCRIPTION,
  policyContext,
  RETAIL_AWS_ACCOUNT,
  RETAIL_SUBSCRIPTION,
} from "../../../test/support/dataflow-policy.js";
import { completeAccount, partialAccount } from "../../../test/support/evaluation.js";
import {
  armDocumentsOf,
  awsFixture,
  azureFixture,
  selectRowsOf,
} from "../../../test/support/fixtures.js";
import { fromArmDocument } from "../../canonical/from-arm-document.js";
import { fromConfigItem } from "../../canonical/from-config-item.js";
import type { CanonicalResource } from "../../model.js";
import { stageRegion } from "./stage-region.js";

const ACCOUNTS = [
  completeAccount("azure", RETAIL_SUBSCRIPTION),
  completeAccount("azure", PLATFORM_SUBSCRIPTION),
  completeAccount("aws", RETAIL_AWS_ACCOUNT),
];
const AI_GROUP = `/subscriptions/${RETAIL_SUBSCRIPTION}/resourceGroups/rg-retail-ai/providers/Microsoft.CognitiveServices/accounts`;

function fixture(fileName: string): Record<string, unknown> {
  const [document] = armDocumentsOf(azureFixture(fileName));
  return structuredClone(document) as Record<string, unknown>;
}

/** The real OpenAI account re-homed in the retail subscription, at a display-name location. */
function openAiAccount(name: string, location: string): CanonicalResource {
  const document = fixture("Microsoft.CognitiveServices_accounts.OpenAI.arm.real.json");
  document.id = `${AI_GROUP}/${name}`;
  document.name = name;
  document.location = location;
  return fromArmDocument(document);
}

/** The real deployment (no location of its own) under `parent`, with a deployment type. */
function deploymentOf(parent: CanonicalResource, sku: string): CanonicalResource {
  const document = fixture("Microsoft.CognitiveServices_accounts_deployments.list.arm.real.json");
  document.id = `${parent.id}/deployments/chat`;
  document.name = "chat";
  document.sku = { name: sku, capacity: 1 };
  return fromArmDocument(document, parent);
}

function storage(subscription: string, name: string, location: string): CanonicalResource {
  return fromArmDocument({
    id: `/subscriptions/${subscription}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/${name}`,
    name,
    type: "Microsoft.Storage/storageAccounts",
    location,
    tags: { "plumbline-stage": "response-logging" },
    properties: { encryption: { keySource: "Microsoft.Storage" } },
  });
}

function rowsFor(lines: string[], resources: CanonicalResource[]) {
  return stageRegion.evaluate(policyContext(dataflowPolicy(lines), "retail", resources, ACCOUNTS));
}

const MODEL_CALL =
  '      model-call: { resources: ["*/Microsoft.CognitiveServices/accounts/oai-retail-*"] }';

describe("dataflow.stage-region", () => {
  it("passes a selected account at a display-name location in an allowed region, naming its stage", () => {
    const rows = rowsFor([MODEL_CALL], [openAiAccount("oai-retail-sdc", "Sweden Central")]);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.status).toBe("pass");
    expect(rows[0]?.message).toMatch(
      /^Selected by model-call: .*oai-retail-sdc is in approved regions/,
    );
    expect(rows[0]?.subject).toEqual({
      resource: `${AI_GROUP}/oai-retail-sdc`,
      subjectKey: `${AI_GROUP}/oai-retail-sdc`.toLowerCase(),
      provider: "azure",
      account: RETAIL_SUBSCRIPTION,
      type: "Microsoft.CognitiveServices/accounts",
      region: "swedencentral",
    });
  });

  it("fails a model-call deployment whose processing scope is wider than the tenant's", () => {
    const account = openAiAccount("oai-retail-weu", "westeurope");
    const rows = rowsFor([MODEL_CALL], [account, deploymentOf(account, "GlobalStandard")]);
    const deployment = rows.find((r) => r.subject.type?.endsWith("/deployments"));
    expect(deployment?.status).toBe("fail");
    expect(deployment?.message).toContain("processes prompts within scope global");
    expect(deployment?.evidence).toContainEqual({
      path: "location (the parent's region)",
      actual: "westeurope",
      expected: "one of: westeurope, swedencentral, eu-west-1",
    });
  });

  it("passes a data-zone deployment for a tenant that allows the data zone", () => {
    const account = openAiAccount("oai-retail-weu", "westeurope");
    const rows = rowsFor([MODEL_CALL], [deploymentOf(account, "DataZoneStandard")]);
    expect(rows[0]?.status).toBe("pass");
  });

  it("judges only the region of a deployment selected by a stage other than model-call", () => {
    const account = openAiAccount("oai-retail-weu", "westeurope");
    const rows = rowsFor(
      ['      retrieval: { resources: ["*/accounts/oai-retail-weu/deployments/*"] }'],
      [deploymentOf(account, "GlobalStandard")],
    );
    expect(rows[0]?.status).toBe("pass");
    expect(rows[0]?.message).not.toContain("scope");
  });

  it("names every stage that selects a resource", () => {
    const rows = rowsFor(
      [
        '      prompt-composition: { resources: ["*/storageAccounts/stretail*"] }',
        "      response-logging: { tags: { plumbline-stage: response-logging } }",
      ],
      [storage(RETAIL_SUBSCRIPTION, "stretaillogs", "westeurope")],
    );
    expect(rows[0]?.message).toMatch(/^Selected by prompt-composition, response-logging: /);
  });

  it("fails a resource in a fallback region whose contract has ended, naming the contract", () => {
    const rows = rowsFor(
      ["      response-logging: { tags: { plumbline-stage: response-logging } }"],
      [storage(RETAIL_SUBSCRIPTION, "stretaillogsfrc", "francecentral")],
    );
    expect(rows[0]?.status).toBe("fail");
    expect(rows[0]?.message).toContain("contract DPA-2025-031 ended on 2026-06-30");
  });

  it("judges a selected resource in the platform's account against the tenant's regions", () => {
    const rows = rowsFor(
      ["      response-logging: { tags: { plumbline-stage: response-logging } }"],
      [storage(PLATFORM_SUBSCRIPTION, "sthublogs", "northeurope")],
    );
    expect(rows[0]?.status).toBe("fail");
    expect(rows[0]?.subject.account).toBe(PLATFORM_SUBSCRIPTION);
  });

  it("is an error for a selected storage account whose document has no properties", () => {
    const bare = fromArmDocument({
      id: `/subscriptions/${RETAIL_SUBSCRIPTION}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stbare`,
      name: "stbare",
      type: "Microsoft.Storage/storageAccounts",
      location: "westeurope",
      tags: { "plumbline-stage": "response-logging" },
    });
    const rows = rowsFor(
      ["      response-logging: { tags: { plumbline-stage: response-logging } }"],
      [bare],
    );
    expect(rows[0]?.status).toBe("error");
  });

  it("gives no row to a deleted AWS item, and fails one outside the allowed regions", () => {
    const bucket = (name: string, region: string, status: string) =>
      fromConfigItem({
        accountId: RETAIL_AWS_ACCOUNT,
        awsRegion: region,
        resourceType: "AWS::S3::Bucket",
        resourceId: name,
        arn: `arn:aws:s3:::${name}`,
        configurationItemStatus: status,
        configuration: { name },
        supplementaryConfiguration: {},
      });
    const rows = rowsFor(
      ['      audit-trail: { resources: ["arn:aws:s3:::retail-audit-*"] }'],
      [
        bucket("retail-audit-use1", "us-east-1", "OK"),
        bucket("retail-audit-old", "eu-west-1", "ResourceDeleted"),
      ],
    );
    expect(rows.map((r) => [r.subject.resource, r.status])).toEqual([
      ["arn:aws:s3:::retail-audit-use1", "fail"],
    ]);
  });

  it("judges nothing for the platform", () => {
    const policy = dataflowPolicy([MODEL_CALL]);
    const context = policyContext(
      policy,
      "platform",
      [openAiAccount("oai-retail-sdc", "swedencentral")],
      ACCOUNTS,
    );
    expect(stageRegion.evaluate(context)).toEqual([]);
  });
});

const ACCOUNT_CALL =
  '      model-call: { resources: ["*/Microsoft.CognitiveServices/accounts/oai-retail-weu"] }';

describe("dataflow.stage-region on an AI account selected by model-call", () => {
  it("fails the account when one of its deployments processes prompts more widely, naming it and its SKU", () => {
    const account = openAiAccount("oai-retail-weu", "westeurope");
    const rows = rowsFor([ACCOUNT_CALL], [account, deploymentOf(account, "GlobalStandard")]);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.subject.type).toBe("Microsoft.CognitiveServices/accounts");
    expect(rows[0]?.status).toBe("fail");
    expect(rows[0]?.message).toContain(
      "Microsoft.CognitiveServices/accounts/deployments chat processes prompts within scope " +
        'global (deployment type "GlobalStandard"), wider than retail\'s processing scope datazone',
    );
    expect(rows[0]?.evidence).toContainEqual({
      path: `${AI_GROUP}/oai-retail-weu/deployments/chat#sku.name`,
      actual: "GlobalStandard",
      expected: "a deployment type within the owner's scope",
    });
  });

  it("judges deployments that stream past before their account, read without it", () => {
    const account = openAiAccount("oai-retail-weu", "westeurope");
    const orphan = (sku: string) => {
      const document = fixture(
        "Microsoft.CognitiveServices_accounts_deployments.list.arm.real.json",
      );
      document.id = `${account.id}/deployments/${sku.toLowerCase()}`;
      document.name = sku.toLowerCase();
      document.sku = { name: sku, capacity: 1 };
      return fromArmDocument(document);
    };
    const passing = rowsFor([ACCOUNT_CALL], [orphan("DataZoneStandard"), account]);
    expect(passing[0]?.status).toBe("pass");
    expect(passing[0]?.message).toContain("in data zone EU (westeurope)");
    const failing = rowsFor([ACCOUNT_CALL], [orphan("DeveloperTier"), account]);
    expect(failing[0]?.status).toBe("fail");
  });

  it("passes the account when every deployment is within scope", () => {
    const account = openAiAccount("oai-retail-weu", "westeurope");
    const rows = rowsFor([ACCOUNT_CALL], [account, deploymentOf(account, "Standard")]);
    expect(rows[0]?.status).toBe("pass");
  });

  it("is an error naming the value when a deployment's type is unknown", () => {
    const account = openAiAccount("oai-retail-weu", "westeurope");
    const rows = rowsFor([ACCOUNT_CALL], [account, deploymentOf(account, "RegionalTurbo")]);
    expect(rows[0]?.status).toBe("error");
    expect(rows[0]?.message).toContain('"RegionalTurbo"');
  });

  it("is an error when the account's subscription was not collected completely", () => {
    const account = openAiAccount("oai-retail-weu", "westeurope");
    const rows = stageRegion.evaluate(
      policyContext(
        dataflowPolicy([ACCOUNT_CALL]),
        "retail",
        [account, deploymentOf(account, "Standard")],
        [partialAccount("azure", RETAIL_SUBSCRIPTION)],
      ),
    );
    expect(rows[0]?.status).toBe("error");
    expect(rows[0]?.message).toContain(
      `subscription ${RETAIL_SUBSCRIPTION} was not collected completely`,
    );
  });

  it("keeps a failing deployment a fail when the subscription was collected only partly", () => {
    const account = openAiAccount("oai-retail-weu", "westeurope");
    const rows = stageRegion.evaluate(
      policyContext(
        dataflowPolicy([ACCOUNT_CALL]),
        "retail",
        [account, deploymentOf(account, "GlobalBatch")],
        [partialAccount("azure", RETAIL_SUBSCRIPTION)],
      ),
    );
    expect(rows[0]?.status).toBe("fail");
  });

  it("judges the deployments of an account selected by tag", () => {
    const document = fixture("Microsoft.CognitiveServices_accounts.OpenAI.arm.real.json");
    document.id = `${AI_GROUP}/oai-tagged`;
    document.name = "oai-tagged";
    document.location = "westeurope";
    document.tags = { stage: "model-call" };
    const account = fromArmDocument(document);
    const rows = rowsFor(
      ["      model-call: { tags: { stage: model-call } }"],
      [account, deploymentOf(account, "GlobalStandard")],
    );
    expect(rows[0]?.status).toBe("fail");
  });

  it("does not judge the deployments of an account selected by another stage", () => {
    const account = openAiAccount("oai-retail-weu", "westeurope");
    const rows = rowsFor(
      ['      retrieval: { resources: ["*/accounts/oai-retail-weu"] }'],
      [account, deploymentOf(account, "GlobalStandard")],
    );
    expect(rows[0]?.status).toBe("pass");
    expect(rows[0]?.message).not.toContain("deployment");
  });
});

/** A Bedrock item of `type` in the retail account (eu-west-1) with the CloudFormation fields. */
function bedrockItem(
  type: string,
  id: string,
  configuration: Record<string, unknown>,
  status = "OK",
): CanonicalResource {
  const kind = type
    .replace("AWS::Bedrock::", "")
    .replace(/([a-z])([A-Z])/g, "$1-$2")
    .toLowerCase();
  return fromConfigItem({
    version: "1.3",
    accountId: RETAIL_AWS_ACCOUNT,
    awsRegion: "eu-west-1",
    configurationItemStatus: status,
    resourceType: type,
    resourceId: id,
    resourceName: id,
    arn: `arn:aws:bedrock:eu-west-1:${RETAIL_AWS_ACCOUNT}:${kind}/${id}`,
    configuration,
    supplementaryConfiguration: {},
  });
}

const promptWith = (...modelIds: (string | undefined)[]) =>
  bedrockItem("AWS::Bedrock::Prompt", "PROMPT12345", {
    Id: "PROMPT12345",
    Name: "retail-summary",
    DefaultVariant: "v0",
    Variants: modelIds.map((modelId, index) => ({
      Name: `v${index}`,
      TemplateType: "TEXT",
      ...(modelId === undefined ? {} : { ModelId: modelId }),
    })),
  });

/** The synthetic knowledge base row, moved to eu-west-1 with an embedding model there. */
function knowledgeBase(embeddingModelArn: string): CanonicalResource {
  const row = selectRowsOf(
    awsFixture("config.SelectResourceConfig.sagemaker-bedrock.http.synthetic.json"),
  ).find((r) => r.resourceType === "AWS::Bedrock::KnowledgeBase");
  const item = structuredClone(row) as Record<string, unknown>;
  item.awsRegion = "eu-west-1";
  item.accountId = RETAIL_AWS_ACCOUNT;
  item.arn = `arn:aws:bedrock:eu-west-1:${RETAIL_AWS_ACCOUNT}:knowledge-base/KB12345678`;
  const configuration = item.configuration as {
    KnowledgeBaseConfiguration: { VectorKnowledgeBaseConfiguration: Record<string, unknown> };
  };
  configuration.KnowledgeBaseConfiguration.VectorKnowledgeBaseConfiguration.EmbeddingModelArn =
    embeddingModelArn;
  return fromConfigItem(item);
}

const BEDROCK_CALL =
  '      model-call: { resources: ["arn:aws:bedrock:*:111122223333:prompt/*", "arn:aws:bedrock:*:111122223333:knowledge-base/*"] }';
const CLAUDE = "anthropic.claude-3-5-sonnet-20240620-v1:0";

describe("dataflow.stage-region on a Bedrock resource selected by model-call", () => {
  it("judges a prompt's variant models by id: a geographic profile passes, a global one fails", () => {
    const passing = rowsFor([BEDROCK_CALL], [promptWith(`eu.${CLAUDE}`, CLAUDE)]);
    expect(passing[0]?.status).toBe("pass");
    const failing = rowsFor([BEDROCK_CALL], [promptWith(CLAUDE, `global.${CLAUDE}`)]);
    expect(failing[0]?.status).toBe("fail");
    expect(failing[0]?.message).toContain("processes prompts within scope global");
    expect(failing[0]?.evidence).toContainEqual({
      path: "configuration.Variants[1].ModelId",
      actual: `global.${CLAUDE}`,
      expected: "a model source within the owner's scope",
    });
  });

  it("judges a prompt that names an application inference profile by that profile", () => {
    const profileArn = `arn:aws:bedrock:eu-west-1:${RETAIL_AWS_ACCOUNT}:application-inference-profile/p1`;
    const profile = bedrockItem("AWS::Bedrock::ApplicationInferenceProfile", "p1", {
      InferenceProfileName: "retail-global",
      ModelSource: {
        CopyFrom: `arn:aws:bedrock:eu-west-1:${RETAIL_AWS_ACCOUNT}:inference-profile/global.${CLAUDE}`,
      },
    });
    const rows = rowsFor([BEDROCK_CALL], [promptWith(profileArn.toUpperCase()), profile]);
    expect(rows[0]?.status).toBe("fail");
    expect(rows[0]?.message).toContain(
      "AWS::Bedrock::Prompt PROMPT12345 sends prompts through the profile its " +
        "configuration.Variants[0].ModelId names: AWS::Bedrock::ApplicationInferenceProfile p1 processes prompts within scope global",
    );
  });

  it("is an error when the application inference profile a prompt names is not in the inventory", () => {
    const gone = `arn:aws:bedrock:eu-west-1:${RETAIL_AWS_ACCOUNT}:application-inference-profile/gone`;
    const deleted = bedrockItem(
      "AWS::Bedrock::ApplicationInferenceProfile",
      "gone",
      { ModelSource: { CopyFrom: `arn:aws:bedrock:eu-west-1::foundation-model/${CLAUDE}` } },
      "ResourceDeleted",
    );
    const rows = rowsFor([BEDROCK_CALL], [promptWith(gone), deleted]);
    expect(rows[0]?.status).toBe("error");
    expect(rows[0]?.message).toContain("which is not in the inventory");
  });

  it("is an error for a model id that is neither a model nor a profile id", () => {
    const rows = rowsFor([BEDROCK_CALL], [promptWith("claude")]);
    expect(rows[0]?.status).toBe("error");
    expect(rows[0]?.message).toContain('"claude"');
  });

  it("is an error naming a geography prefix the scope table does not know", () => {
    const rows = rowsFor([BEDROCK_CALL], [promptWith(`mars.${CLAUDE}`)]);
    expect(rows[0]?.status).toBe("error");
    expect(rows[0]?.message).toContain("configuration.Variants[0].ModelId");
  });

  it("judges only the region of a prompt whose variants name no model", () => {
    const rows = rowsFor([BEDROCK_CALL], [promptWith(undefined)]);
    expect(rows[0]?.status).toBe("pass");
    expect(rows[0]?.message).not.toContain("scope");
  });

  it("judges a knowledge base by its embedding model's ARN", () => {
    const regional = `arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-embed-text-v2:0`;
    expect(rowsFor([BEDROCK_CALL], [knowledgeBase(regional)])[0]?.status).toBe("pass");
    const global = `arn:aws:bedrock:eu-west-1:${RETAIL_AWS_ACCOUNT}:inference-profile/global.cohere.embed-v4:0`;
    const rows = rowsFor([BEDROCK_CALL], [knowledgeBase(global)]);
    expect(rows[0]?.status).toBe("fail");
    expect(rows[0]?.evidence).toContainEqual({
      path: "configuration.KnowledgeBaseConfiguration.VectorKnowledgeBaseConfiguration.EmbeddingModelArn",
      actual: global,
      expected: "a model source within the owner's scope",
    });
  });

  it("is an error for a selected Bedrock item without configuration", () => {
    const bare = fromConfigItem({
      accountId: RETAIL_AWS_ACCOUNT,
      awsRegion: "eu-west-1",
      configurationItemStatus: "OK",
      resourceType: "AWS::Bedrock::Prompt",
      resourceId: "PROMPTBARE",
      arn: `arn:aws:bedrock:eu-west-1:${RETAIL_AWS_ACCOUNT}:prompt/PROMPTBARE`,
    });
    expect(rowsFor([BEDROCK_CALL], [bare])[0]?.status).toBe("error");
  });
});
