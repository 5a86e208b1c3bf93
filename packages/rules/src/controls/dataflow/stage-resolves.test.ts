import { describe, expect, it } from "vitest";
import {
  dataflowPolicy,
  PLATFORM_SUBSCRIPTION,
  policyContext,
  RETAIL_AWS_ACCOUNT,
  RETAIL_SUBSCRIPTION,
} from "../../../test/support/dataflow-policy.js";
import { completeAccount, partialAccount } from "../../../test/support/evaluation.js";
import { fromArmDocument } from "../../canonical/from-arm-document.js";
import { fromConfigItem } from "../../canonical/from-config-item.js";
import type { AccountCollection } from "../../model.js";
import { stageResolves } from "./stage-resolves.js";

const ALL_COMPLETE: AccountCollection[] = [
  completeAccount("azure", RETAIL_SUBSCRIPTION),
  completeAccount("azure", PLATFORM_SUBSCRIPTION),
  completeAccount("aws", RETAIL_AWS_ACCOUNT),
];

const promptStore = fromArmDocument({
  id: `/subscriptions/${RETAIL_SUBSCRIPTION}/resourceGroups/RG-Retail-App/providers/Microsoft.Storage/storageAccounts/stretailprompts`,
  name: "stretailprompts",
  type: "Microsoft.Storage/storageAccounts",
  location: "westeurope",
  tags: { "Plumbline-Stage": "tool-calls", "business-unit": "retail" },
  properties: {},
});
const hubSearch = fromArmDocument({
  id: `/subscriptions/${PLATFORM_SUBSCRIPTION}/resourceGroups/rg-hub-ai/providers/Microsoft.Search/searchServices/srch-hub`,
  name: "srch-hub",
  type: "Microsoft.Search/searchServices",
  location: "westeurope",
  tags: { "plumbline-stage": "retrieval" },
  properties: {},
});
const auditBucket = fromConfigItem({
  accountId: RETAIL_AWS_ACCOUNT,
  awsRegion: "eu-west-1",
  resourceType: "AWS::S3::Bucket",
  resourceId: "retail-audit-euw1",
  arn: "arn:aws:s3:::retail-audit-euw1",
  configurationItemStatus: "OK",
  configuration: { name: "retail-audit-euw1" },
  supplementaryConfiguration: {},
  tags: [{ key: "PLUMBLINE-STAGE", value: "audit-trail" }],
});

function rowsFor(lines: string[], accounts = ALL_COMPLETE) {
  const policy = dataflowPolicy(lines);
  return stageResolves.evaluate(
    policyContext(policy, "retail", [promptStore, hubSearch, auditBucket], accounts),
  );
}

describe("dataflow.stage-resolves", () => {
  it("passes a glob that matches an id, without regard to case, and counts what it selects", () => {
    const rows = rowsFor([
      '      prompt-composition: { resources: ["/subscriptions/*/resourcegroups/rg-retail-app/*"] }',
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.status).toBe("pass");
    expect(rows[0]?.message).toBe(
      "Stage prompt-composition of tenant retail selects 1 resource(s): stretailprompts",
    );
    expect(rows[0]?.evidence[1]).toEqual({
      path: "selected",
      actual: [promptStore.id],
      expected: "at least one resource of the latest inventory",
    });
  });

  it("selects resources in another owner's account: selectors resolve over the whole inventory", () => {
    const rows = rowsFor(["      retrieval: { tags: { plumbline-stage: retrieval } }"]);
    expect(rows[0]?.status).toBe("pass");
    expect(rows[0]?.message).toContain("srch-hub");
  });

  it("requires every tag, comparing Azure tag names without case but AWS tag keys exactly", () => {
    const azure = rowsFor([
      "      tool-calls: { tags: { plumbline-stage: tool-calls, business-unit: retail } }",
    ]);
    const partial = rowsFor([
      "      tool-calls: { tags: { plumbline-stage: tool-calls, business-unit: wealth } }",
    ]);
    const aws = rowsFor(["      audit-trail: { tags: { plumbline-stage: audit-trail } }"]);
    expect([azure[0]?.status, partial[0]?.status, aws[0]?.status]).toEqual([
      "pass",
      "fail",
      "fail",
    ]);
  });

  it("fails a selector matching nothing when every account it could match is complete", () => {
    const rows = rowsFor([
      '      prompt-composition: { resources: ["/subscriptions/*/resourceGroups/rg-portal/*"] }',
    ]);
    expect(rows[0]?.status).toBe("fail");
    expect(rows[0]?.message).toContain("selects nothing in the latest inventory");
  });

  it("is an error naming the account a selector could match that was collected only partly", () => {
    const accounts = [
      completeAccount("azure", RETAIL_SUBSCRIPTION),
      partialAccount("azure", PLATFORM_SUBSCRIPTION),
      completeAccount("aws", RETAIL_AWS_ACCOUNT),
    ];
    const rows = rowsFor(
      ['      prompt-composition: { resources: ["/subscriptions/*/resourceGroups/rg-portal/*"] }'],
      accounts,
    );
    expect(rows[0]?.status).toBe("error");
    expect(rows[0]?.message).toContain(`Azure subscription ${PLATFORM_SUBSCRIPTION}`);
    expect(rows[0]?.message).not.toContain("AWS account");
  });

  it("fails a glob pinned to a complete subscription even when another account is partial", () => {
    const accounts = [
      completeAccount("azure", RETAIL_SUBSCRIPTION),
      partialAccount("azure", PLATFORM_SUBSCRIPTION),
      partialAccount("aws", RETAIL_AWS_ACCOUNT),
    ];
    const glob = `/subscriptions/${RETAIL_SUBSCRIPTION}/resourceGroups/rg-portal/*`;
    const rows = rowsFor([`      prompt-composition: { resources: ["${glob}"] }`], accounts);
    expect(rows[0]?.status).toBe("fail");
  });

  it("is an error for an S3 ARN glob, which names no account, when an AWS account is partial", () => {
    const accounts = [
      completeAccount("azure", RETAIL_SUBSCRIPTION),
      completeAccount("azure", PLATFORM_SUBSCRIPTION),
      partialAccount("aws", RETAIL_AWS_ACCOUNT),
    ];
    const rows = rowsFor(
      ['      audit-trail: { resources: ["arn:aws:s3:::retail-ledger-*"] }'],
      accounts,
    );
    expect(rows[0]?.status).toBe("error");
    expect(rows[0]?.message).toContain(`AWS account ${RETAIL_AWS_ACCOUNT}`);
  });

  it("is an error when an account the policy names was not collected at all", () => {
    const rows = rowsFor(
      ['      audit-trail: { resources: ["arn:aws:s3:::retail-ledger-*"] }'],
      ALL_COMPLETE.filter((account) => account.provider === "azure"),
    );
    expect(rows[0]?.status).toBe("error");
  });

  it("emits nothing for undeclared stages or for the platform", () => {
    const policy = dataflowPolicy([
      '      audit-trail: { resources: ["arn:aws:s3:::retail-audit-*"] }',
    ]);
    expect(
      rowsFor(['      audit-trail: { resources: ["arn:aws:s3:::retail-audit-*"] }']).map(
        (r) => r.subject.resource,
      ),
    ).toEqual(["tenant/retail/dataflow/audit-trail"]);
    expect(
      stageResolves.evaluate(policyContext(policy, "platform", [auditBucket], ALL_COMPLETE)),
    ).toEqual([]);
  });
});
