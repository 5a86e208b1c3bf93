import { describe, expect, it } from "vitest";
import {
  dataflowPolicy,
  PLATFORM_SUBSCRIPTION,
  policyContext,
  RETAIL_AWS_ACCOUNT,
  RETAIL_SUBSCRIPTION,
} from "../../../test/support/dataflow-policy.js";
import { completeAccount } from "../../../test/support/evaluation.js";
import { armDocumentsOf, azureFixture } from "../../../test/support/fixtures.js";
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
