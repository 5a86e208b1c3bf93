import { describe, expect, it } from "vitest";
import { contextWith, ownerWith } from "../../../test/support/evaluation.js";
import { armDocumentsOf, azureFixture } from "../../../test/support/fixtures.js";
import { fromArmDocument } from "../../canonical/from-arm-document.js";
import { decodeBatchGetItem, fromConfigItem } from "../../canonical/from-config-item.js";
import type { ProcessingScope } from "../../policy/types.js";
import { aiProcessingScope } from "./ai-processing-scope.js";

const ACCOUNT = "111122223333";
const [openAi] = armDocumentsOf(
  azureFixture("Microsoft.CognitiveServices_accounts.OpenAI.arm.real.json"),
);
const [deployment] = armDocumentsOf(
  azureFixture("Microsoft.CognitiveServices_accounts_deployments.list.arm.real.json"),
);

/** The real deployment under the real account (eastus), with its SKU and the account moved. */
function deploymentOf(sku: unknown, accountLocation = "eastus") {
  const parent = fromArmDocument({ ...openAi, location: accountLocation });
  return fromArmDocument({ ...deployment, sku }, parent);
}

function judgeAzure(sku: unknown, scope: ProcessingScope, accountLocation?: string) {
  return aiProcessingScope.evaluate(
    deploymentOf(sku, accountLocation),
    contextWith({ owner: ownerWith({ processingScope: scope }) }),
  );
}

/** An application inference profile item with the CloudFormation field names Config records. */
function profileItem(configuration: Record<string, unknown>): Record<string, unknown> {
  return {
    accountId: ACCOUNT,
    awsRegion: "eu-west-1",
    resourceType: "AWS::Bedrock::ApplicationInferenceProfile",
    resourceId: "a1b2c3d4e5f6",
    resourceName: "contoso-claude",
    arn: `arn:aws:bedrock:eu-west-1:${ACCOUNT}:application-inference-profile/a1b2c3d4e5f6`,
    configurationItemStatus: "OK",
    configuration: {
      InferenceProfileName: "contoso-claude",
      InferenceProfileId: "a1b2c3d4e5f6",
      Status: "ACTIVE",
      Type: "APPLICATION",
      ...configuration,
    },
  };
}

function model(region: string): { ModelArn: string } {
  return {
    ModelArn: `arn:aws:bedrock:${region}::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0`,
  };
}

function judgeAws(item: Record<string, unknown>, scope: ProcessingScope) {
  return aiProcessingScope.evaluate(
    fromConfigItem(item),
    contextWith({ owner: ownerWith({ processingScope: scope }) }),
  );
}

describe("residency.ai-processing-scope on Azure model deployments", () => {
  it("passes the real Standard deployment for an owner that allows one region", () => {
    const verdict = judgeAzure({ name: "Standard", capacity: 1 }, "region");
    expect(verdict.status).toBe("pass");
    expect(verdict.message).toBe(
      'Microsoft.CognitiveServices/accounts/deployments gpt-4o-mini-deploy processes prompts within scope region (deployment type "Standard"); acme allows region',
    );
    expect(verdict.evidence).toEqual([
      {
        path: "sku.name",
        actual: "Standard",
        expected: "a deployment type within the owner's scope",
      },
      { path: "processingScope", actual: "region", expected: "region or narrower" },
    ]);
  });

  it("reads deployment types without regard to case", () => {
    expect(judgeAzure({ name: "PROVISIONEDMANAGED" }, "region").status).toBe("pass");
    expect(judgeAzure({ name: "globalstandard" }, "datazone").status).toBe("fail");
  });

  it("fails global and developer deployments for an owner limited to a data zone", () => {
    for (const name of [
      "GlobalStandard",
      "GlobalProvisionedManaged",
      "GlobalBatch",
      "DeveloperTier",
    ]) {
      const verdict = judgeAzure({ name }, "datazone");
      expect(verdict.status, name).toBe("fail");
      expect(verdict.message).toContain("within scope global");
      expect(verdict.message).toContain("wider than acme's processing scope datazone");
    }
  });

  it("passes every deployment type for an owner that allows global processing", () => {
    expect(judgeAzure({ name: "GlobalStandard" }, "global").status).toBe("pass");
  });

  it("places a data-zone deployment in the data zone of its account's region", () => {
    const us = judgeAzure({ name: "DataZoneStandard" }, "datazone");
    expect(us.status).toBe("pass");
    expect(us.message).toContain('deployment type "DataZoneStandard" in data zone US (eastus)');
    const regionOnly = judgeAzure({ name: "DataZoneProvisionedManaged" }, "region");
    expect(regionOnly.status).toBe("fail");
  });

  it("canonicalises the account's display-name location to find its data zone", () => {
    const verdict = judgeAzure({ name: "DataZoneBatch" }, "datazone", "Sweden Central");
    expect(verdict.status).toBe("pass");
    expect(verdict.message).toContain("in data zone EU (swedencentral)");
  });

  it("reports a data-zone deployment on an account in a region of no data zone as an error", () => {
    const verdict = judgeAzure({ name: "DataZoneStandard" }, "global", "japaneast");
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      'needs a data zone, but the account\'s region "japaneast" belongs to none',
    );
  });

  it("reports a data-zone deployment whose account region is unknown as an error", () => {
    const orphan = fromArmDocument({ ...deployment, sku: { name: "DataZoneStandard" } });
    const verdict = aiProcessingScope.evaluate(orphan, contextWith());
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("but the account's region is unknown");
  });

  it("reports an unknown, absent or null SKU as an error naming it", () => {
    const unknown = judgeAzure({ name: "Provisioned" }, "global");
    expect(unknown.status).toBe("error");
    expect(unknown.message).toContain(
      'sku.name "Provisioned" is a deployment type this control does not know',
    );
    expect(judgeAzure(undefined, "global").status).toBe("error");
    expect(judgeAzure({ name: null }, "global").status).toBe("error");
  });

  it("reports a deployment document without properties as an error", () => {
    const { properties: _dropped, ...bare } = deployment ?? {};
    const verdict = aiProcessingScope.evaluate(fromArmDocument(bare), contextWith());
    expect(verdict.status).toBe("error");
  });
});

describe("residency.ai-processing-scope on Bedrock application inference profiles", () => {
  it("reads a profile copied from a foundation model as one region", () => {
    const item = profileItem({
      ModelSource: {
        CopyFrom:
          "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0",
      },
      Models: [model("eu-west-1")],
    });
    const verdict = judgeAws(item, "region");
    expect(verdict.status).toBe("pass");
    expect(verdict.message).toContain("(copied from a foundation model in eu-west-1)");
  });

  it("reads a geographic system profile prefix as a data zone", () => {
    for (const profile of ["eu", "apac", "us", "jp"]) {
      const item = profileItem({
        ModelSource: {
          CopyFrom: `arn:aws:bedrock:eu-west-1:${ACCOUNT}:inference-profile/${profile}.anthropic.claude-3-5-sonnet-20240620-v1:0`,
        },
      });
      expect(judgeAws(item, "datazone").status, profile).toBe("pass");
      expect(judgeAws(item, "region").status, profile).toBe("fail");
    }
  });

  it("fails a profile copied from a global profile for an owner limited to a data zone", () => {
    const item = profileItem({
      ModelSource: {
        CopyFrom: `arn:aws:bedrock:eu-west-1:${ACCOUNT}:inference-profile/global.anthropic.claude-sonnet-4-20250514-v1:0`,
      },
    });
    const verdict = judgeAws(item, "datazone");
    expect(verdict.status).toBe("fail");
    expect(verdict.evidence[0]).toEqual({
      path: "configuration.ModelSource.CopyFrom",
      actual: `arn:aws:bedrock:eu-west-1:${ACCOUNT}:inference-profile/global.anthropic.claude-sonnet-4-20250514-v1:0`,
      expected: "a model source within the owner's scope",
    });
  });

  it("lets CopyFrom decide over the listed models", () => {
    const item = profileItem({
      ModelSource: {
        CopyFrom: "arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-text-express-v1",
      },
      Models: [model("eu-west-1"), model("us-east-1")],
    });
    expect(judgeAws(item, "region").status).toBe("pass");
  });

  it("reads the regions of the models when there is no CopyFrom", () => {
    const one = profileItem({ Models: [model("eu-west-1"), model("EU-WEST-1")] });
    expect(judgeAws(one, "region").status).toBe("pass");
    const zone = profileItem({ Models: [model("eu-west-1"), model("eu-central-1")] });
    const zoneVerdict = judgeAws(zone, "region");
    expect(zoneVerdict.status).toBe("fail");
    expect(zoneVerdict.message).toContain("its models span eu-central-1, eu-west-1, one geography");
    const world = profileItem({ Models: [model("eu-west-1"), model("us-east-1")] });
    const worldVerdict = judgeAws(world, "datazone");
    expect(worldVerdict.status).toBe("fail");
    expect(worldVerdict.message).toContain("within scope global");
  });

  it("reports unreadable model sources as errors naming the value", () => {
    const unknownPrefix = profileItem({
      ModelSource: {
        CopyFrom: `arn:aws:bedrock:eu-west-1:${ACCOUNT}:inference-profile/mars.anthropic.claude-v2`,
      },
    });
    expect(judgeAws(unknownPrefix, "global").status).toBe("error");
    const notArn = profileItem({ ModelSource: { CopyFrom: "anthropic.claude-v2" } });
    const notArnVerdict = judgeAws(notArn, "global");
    expect(notArnVerdict.status).toBe("error");
    expect(notArnVerdict.message).toContain('"anthropic.claude-v2" is not a foundation model');
    expect(judgeAws(profileItem({ Models: [] }), "global").status).toBe("error");
    const badArn = profileItem({
      Models: [{ ModelArn: "arn:aws:bedrock:mars-1::foundation-model/x" }],
    });
    expect(judgeAws(badArn, "global").status).toBe("error");
  });

  it("gives the string-encoded BatchGet form the same verdict as the decoded form", () => {
    const item = profileItem({ Models: [model("eu-west-1"), model("eu-central-1")] });
    const batch = decodeBatchGetItem({
      ...item,
      configuration: JSON.stringify(item.configuration),
    });
    expect(judgeAws(batch, "datazone")).toEqual(judgeAws(item, "datazone"));
  });

  it("reports a profile item without configuration as an error", () => {
    const { configuration: _dropped, ...bare } = profileItem({});
    expect(judgeAws(bare, "global").status).toBe("error");
  });
});
