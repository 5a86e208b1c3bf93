import { describe, expect, it } from "vitest";
import {
  dataflowPolicy,
  PLATFORM_SUBSCRIPTION,
  RETAIL_AWS_ACCOUNT,
  RETAIL_SUBSCRIPTION,
} from "../../test/support/dataflow-policy.js";
import { fromArmDocument } from "../canonical/from-arm-document.js";
import { fromConfigItem } from "../canonical/from-config-item.js";
import type { StageSelector } from "../policy/types.js";
import { DataflowIndex, selectorMatches } from "./dataflow-index.js";

const app = fromArmDocument({
  id: `/subscriptions/${RETAIL_SUBSCRIPTION}/resourceGroups/rg-retail-app/providers/Microsoft.Web/sites/app-retail`,
  name: "app-retail",
  type: "Microsoft.Web/sites",
  location: "westeurope",
  properties: {},
});
const unrelated = fromArmDocument({
  id: `/subscriptions/${RETAIL_SUBSCRIPTION}/resourceGroups/rg-other/providers/Microsoft.Web/sites/app-other`,
  name: "app-other",
  type: "Microsoft.Web/sites",
  location: "westeurope",
  properties: {},
});
const bucket = fromConfigItem({
  accountId: RETAIL_AWS_ACCOUNT,
  awsRegion: "eu-west-1",
  resourceType: "AWS::S3::Bucket",
  resourceId: "retail-audit-euw1",
  arn: "arn:aws:s3:::retail-audit-euw1",
  configuration: {},
  supplementaryConfiguration: {},
});

const policy = dataflowPolicy([
  '      prompt-composition: { resources: ["/subscriptions/*/resourceGroups/rg-retail-app/*"] }',
  '      audit-trail: { resources: ["arn:aws:s3:::retail-audit-*", "*/rg-retail-app/*"] }',
]);

const globs = (...resources: string[]): StageSelector => ({ resources, tags: {} });

describe("DataflowIndex", () => {
  it("keeps only the resources a stage selects, once each, with every stage that selects them", () => {
    const index = new DataflowIndex(policy);
    for (const resource of [app, unrelated, bucket, app]) index.add(resource);
    expect(index.selectionsOf("retail").map((s) => [s.resource.name, s.stages])).toEqual([
      ["app-retail", ["prompt-composition", "audit-trail"]],
      ["retail-audit-euw1", ["audit-trail"]],
    ]);
    expect(index.selectedBy("retail", "prompt-composition").map((r) => r.name)).toEqual([
      "app-retail",
    ]);
  });

  it("keeps nothing without a policy, or for an owner without a map", () => {
    const index = new DataflowIndex(null);
    index.add(app);
    expect(index.selectionsOf("retail")).toEqual([]);
    const withPolicy = new DataflowIndex(policy);
    withPolicy.add(app);
    expect(withPolicy.selectionsOf("platform")).toEqual([]);
  });

  it("names the accounts a glob could match: the pinned one, else all of a cloud", () => {
    const index = new DataflowIndex(policy);
    const accountsOf = (selector: StageSelector) =>
      index.accountsSelectableBy(selector).map((a) => `${a.provider}:${a.account}`);
    expect(accountsOf(globs(`/subscriptions/${PLATFORM_SUBSCRIPTION}/resourceGroups/*`))).toEqual([
      `azure:${PLATFORM_SUBSCRIPTION}`,
    ]);
    expect(accountsOf(globs("/subscriptions/*/resourceGroups/rg-x/*"))).toEqual([
      `azure:${PLATFORM_SUBSCRIPTION}`,
      `azure:${RETAIL_SUBSCRIPTION}`,
    ]);
    expect(accountsOf(globs("arn:aws:s3:::retail-*"))).toEqual([`aws:${RETAIL_AWS_ACCOUNT}`]);
    expect(accountsOf(globs("arn:aws:bedrock:*:444455556666:knowledge-base/*"))).toEqual([
      `aws:${RETAIL_AWS_ACCOUNT}`,
    ]);
    expect(accountsOf(globs("arn:aws:bedrock:eu-west-1:444455556666:knowledge-base/*"))).toEqual(
      [],
    );
    expect(accountsOf(globs("*"))).toHaveLength(3);
    expect(accountsOf({ resources: [], tags: { stage: "x" } })).toHaveLength(3);
  });

  it("matches globs without case and requires every tag", () => {
    expect(selectorMatches(globs("*/RG-RETAIL-APP/*"), app)).toBe(true);
    expect(selectorMatches({ resources: [], tags: {} }, app)).toBe(false);
  });

  it("keeps every model deployment by its account, whichever arrives first, once a tenant declares model-call", () => {
    const accountId = `/subscriptions/${RETAIL_SUBSCRIPTION}/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/oai-x`;
    const account = fromArmDocument({ id: accountId, location: "westeurope", properties: {} });
    const deployment = (name: string) =>
      fromArmDocument({
        id: `${accountId}/deployments/${name}`,
        sku: { name: "Standard" },
        properties: {},
      });
    const withModelCall = new DataflowIndex(
      dataflowPolicy(['      model-call: { resources: ["*/accounts/other"] }']),
    );
    for (const resource of [deployment("a"), account, deployment("b"), deployment("a")]) {
      withModelCall.add(resource);
    }
    expect(withModelCall.modelDeploymentsOf(account.key).map((d) => d.name)).toEqual(["a", "b"]);
    expect(withModelCall.selectionsOf("retail")).toEqual([]);

    const withoutModelCall = new DataflowIndex(policy);
    withoutModelCall.add(deployment("a"));
    expect(withoutModelCall.modelDeploymentsOf(account.key)).toEqual([]);
  });

  it("keeps application inference profiles by ARN, compared without case", () => {
    const arn = `arn:aws:bedrock:eu-west-1:${RETAIL_AWS_ACCOUNT}:application-inference-profile/p1`;
    const profile = fromConfigItem({
      accountId: RETAIL_AWS_ACCOUNT,
      awsRegion: "eu-west-1",
      resourceType: "AWS::Bedrock::ApplicationInferenceProfile",
      resourceId: "p1",
      arn,
      configuration: {},
    });
    const index = new DataflowIndex(dataflowPolicy(["      model-call: { tags: { a: b } }"]));
    index.add(profile);
    expect(index.inferenceProfile(arn.toUpperCase())?.key).toBe(arn);
    expect(index.inferenceProfile(`${arn}x`)).toBeUndefined();
  });

  it("names every account the policy lists, of the platform and the tenants, once each", () => {
    const index = new DataflowIndex(policy);
    expect(index.namedAccounts().map((a) => `${a.provider}:${a.account}`)).toEqual([
      `azure:${PLATFORM_SUBSCRIPTION}`,
      `azure:${RETAIL_SUBSCRIPTION}`,
      `aws:${RETAIL_AWS_ACCOUNT}`,
    ]);
    expect(new DataflowIndex(null).namedAccounts()).toEqual([]);
  });
});
