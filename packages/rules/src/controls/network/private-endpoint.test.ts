import { describe, expect, it } from "vitest";
import { TEST_AWS_ACCOUNT, vpcItem as vpc } from "../../../test/support/aws-items.js";
import { completeAccount, contextWith, partialAccount } from "../../../test/support/evaluation.js";
import {
  armDocumentsOf,
  awsFixture,
  azureFixture,
  readTestData,
  selectRowsOf,
} from "../../../test/support/fixtures.js";
import { fromArmDocument } from "../../canonical/from-arm-document.js";
import { fromConfigItem } from "../../canonical/from-config-item.js";
import type { AccountCollection, CanonicalResource } from "../../model.js";
import { privateEndpoint } from "./private-endpoint.js";

const SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
const OTHER_SUBSCRIPTION = "00000000-0000-0000-0000-0000000000ff";
const ACCOUNT = TEST_AWS_ACCOUNT;

function named(fileName: string, name?: string): Record<string, unknown> {
  const documents = armDocumentsOf(azureFixture(fileName));
  const document = name === undefined ? documents[0] : documents.find((d) => d.name === name);
  if (document === undefined) throw new Error(`no ${name ?? "document"} in ${fileName}`);
  return structuredClone(document);
}

const lockedDown = () =>
  named("Microsoft.CognitiveServices_accounts.OpenAI-locked-down.arm.composed.json");
const endpointDocument = () =>
  named("Microsoft.Network_privateEndpoints.get.arm.spec-2024-05-01.json");

/** A connection as the data-plane resources list it, pointing at `endpointId`. */
function connection(endpointId: string, state?: Record<string, unknown>, groupIds = ["account"]) {
  return {
    id: `${endpointId}/connection`,
    name: "pe-connection",
    properties: {
      privateEndpoint: { id: endpointId },
      groupIds,
      ...(state === undefined ? {} : { privateLinkServiceConnectionState: state }),
      provisioningState: "Succeeded",
    },
  };
}

function withConnections(document: Record<string, unknown>, connections: unknown) {
  return {
    ...document,
    properties: { ...(document.properties as object), privateEndpointConnections: connections },
  };
}

function judge(
  document: Record<string, unknown>,
  resources: CanonicalResource[] = [],
  accounts: AccountCollection[] = [completeAccount("azure", SUBSCRIPTION)],
) {
  return privateEndpoint.evaluate(fromArmDocument(document), contextWith({ resources, accounts }));
}

const ENDPOINT_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-contoso-net/providers/Microsoft.Network/privateEndpoints/pe-contoso-openai`;

describe("network.private-endpoint on Azure data-plane resources", () => {
  it("passes an account whose private endpoint connection is Approved", () => {
    const verdict = judge(lockedDown());
    expect(verdict.status).toBe("pass");
    expect(verdict.message).toContain("1 Approved private endpoint connection(s)");
    expect(verdict.evidence).toEqual([
      {
        path: "properties.privateEndpointConnections[0].properties.privateLinkServiceConnectionState.status",
        actual: "Approved",
        expected: "Approved",
      },
    ]);
  });

  it("fails the Pending connection of the known case oai-demo03, which carries no traffic", () => {
    const document = readTestData("cases/estate/azure/oai-demo03.json") as Record<string, unknown>;
    const verdict = judge(document);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain('private endpoint pe-demo is "Pending"');
  });

  for (const status of ["Rejected", "Disconnected", "pending"]) {
    it(`fails a connection in state ${status}`, () => {
      const document = withConnections(lockedDown(), [connection(ENDPOINT_ID, { status })]);
      const verdict = judge(document);
      expect(verdict.status).toBe("fail");
      expect(verdict.evidence[0]?.actual).toBe(status);
    });
  }

  it("passes when one of several connections is Approved, whatever the case of the state", () => {
    const document = withConnections(lockedDown(), [
      connection(ENDPOINT_ID, { status: "Pending" }),
      connection(`${ENDPOINT_ID}-2`, { status: "APPROVED" }),
    ]);
    const verdict = judge(document);
    expect(verdict.status).toBe("pass");
    expect(verdict.evidence.map((e) => e.actual)).toEqual(["Pending", "APPROVED"]);
  });

  it("is an error naming a state outside Approved, Pending, Rejected and Disconnected", () => {
    const document = withConnections(lockedDown(), [
      connection(ENDPOINT_ID, { status: "Approving" }),
    ]);
    const verdict = judge(document);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain('"Approving", which this control does not know');
  });

  it("fails a storage account that lists no connection at all ([])", () => {
    const verdict = judge(
      named("Microsoft.Storage_storageAccounts.list.arm.real.json", "contosodevstorage"),
    );
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("lists no private endpoint connection");
    expect(verdict.evidence).toEqual([
      {
        path: "properties.privateEndpointConnections",
        actual: [],
        expected: "at least one connection in state Approved",
      },
    ]);
  });

  it("fails a search service whose document has no connection list, leaving actual out", () => {
    const verdict = judge(named("Microsoft.Search_searchServices.list.arm-2015-08-19.real.json"));
    expect(verdict.status).toBe("fail");
    expect(verdict.evidence).toEqual([
      {
        path: "properties.privateEndpointConnections",
        expected: "at least one connection in state Approved",
      },
    ]);
  });

  it("is an error when the document has no properties: the data was not collected", () => {
    const { properties: _, ...bare } = lockedDown();
    expect(judge(bare).status).toBe("error");
  });

  it("passes a key vault whose Approved connection names no group id", () => {
    const verdict = judge(named("Microsoft.KeyVault_vaults.get.arm.spec-2023-07-01.json"));
    expect(verdict.status).toBe("pass");
  });

  it("passes a PostgreSQL server with an Approved private endpoint", () => {
    const verdict = judge(
      named(
        "Microsoft.DBforPostgreSQL_flexibleServers.get-privateendpoint.arm.spec-2024-08-01.json",
      ),
    );
    expect(verdict.status).toBe("pass");
  });

  it("passes a VNet-integrated PostgreSQL server through its delegated subnet", () => {
    const verdict = judge(named("Microsoft.DBforPostgreSQL_flexibleServers.list.arm.real.json"));
    expect(verdict.status).toBe("pass");
    expect(verdict.evidence[0]?.path).toBe("properties.network.delegatedSubnetResourceId");
    expect(verdict.message).toContain("integrated into a virtual network");
  });

  it("fails a public PostgreSQL server without VNet integration or connections", () => {
    const verdict = judge(
      named(
        "Microsoft.DBforPostgreSQL_flexibleServers.get-systemmanaged-public.arm.spec-2024-08-01.json",
      ),
    );
    expect(verdict.status).toBe("fail");
  });

  const services: [string, string, string][] = [
    ["AI services", "Microsoft.CognitiveServices_accounts.OpenAI.arm.real.json", "account"],
    [
      "search",
      "Microsoft.Search_searchServices.cmk-enforced.arm.spec-2025-05-01.json",
      "searchService",
    ],
    ["storage", "Microsoft.Storage_storageAccounts.get-cmk.arm.spec-2023-05-01.json", "blob"],
    ["key vault", "Microsoft.KeyVault_vaults.list.arm.real.json", "vault"],
    [
      "PostgreSQL",
      "Microsoft.DBforPostgreSQL_flexibleServers.get-systemmanaged-public.arm.spec-2024-08-01.json",
      "postgresqlServer",
    ],
  ];
  for (const [service, file, groupId] of services) {
    it(`does not count a Pending connection on ${service}, and counts an approved one`, () => {
      const base = named(file);
      const pending = judge(
        withConnections(base, [connection(ENDPOINT_ID, { status: "Pending" }, [groupId])]),
      );
      const approved = judge(
        withConnections(base, [connection(ENDPOINT_ID, { status: "approved" }, [groupId])]),
      );
      expect([pending.status, approved.status]).toEqual(["fail", "pass"]);
    });
  }
});

describe("network.private-endpoint with a connection listed without its state", () => {
  const stateless = () => withConnections(lockedDown(), [connection(ENDPOINT_ID)]);

  it("reads the state from the private endpoint resource, matching ids without case", () => {
    const endpoint = endpointDocument();
    endpoint.id = ENDPOINT_ID.replace("rg-contoso-net", "RG-CONTOSO-NET");
    const verdict = judge(stateless(), [fromArmDocument(endpoint)]);
    expect(verdict.status).toBe("pass");
    expect(verdict.evidence).toEqual([
      {
        path:
          `${endpoint.id}#properties.privateLinkServiceConnections[0].properties.` +
          "privateLinkServiceConnectionState.status",
        actual: "Approved",
        expected: "Approved",
      },
    ]);
  });

  it("fails when the endpoint holds the connection as a Pending manual approval", () => {
    const endpoint = endpointDocument();
    const properties = endpoint.properties as Record<string, unknown>;
    const [automatic] = properties.privateLinkServiceConnections as Record<string, unknown>[];
    const manual = structuredClone(automatic) as { properties: Record<string, unknown> };
    manual.properties.privateLinkServiceConnectionState = { status: "Pending" };
    properties.privateLinkServiceConnections = [];
    properties.manualPrivateLinkServiceConnections = [manual];
    const verdict = judge(stateless(), [fromArmDocument(endpoint)]);
    expect(verdict.status).toBe("fail");
    expect(verdict.evidence[0]?.path).toContain(
      "#properties.manualPrivateLinkServiceConnections[0]",
    );
  });

  it("is an error naming the subscription when the endpoint lives in one not scanned", () => {
    const elsewhere = ENDPOINT_ID.replace(SUBSCRIPTION, OTHER_SUBSCRIPTION);
    const document = withConnections(lockedDown(), [connection(elsewhere)]);
    const verdict = judge(document);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(`subscription ${OTHER_SUBSCRIPTION}`);
    expect(verdict.message).toContain("was not collected completely");
    expect(verdict.evidence).toEqual([
      {
        path: "properties.privateEndpointConnections[0].properties.privateLinkServiceConnectionState.status",
        expected: "Approved",
      },
    ]);
  });

  it("is an error when a completely collected subscription does not hold the endpoint", () => {
    const verdict = judge(stateless());
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("is not in the inventory of subscription");
  });

  it("is an error when the endpoint has no connection to the resource", () => {
    const endpoint = endpointDocument();
    const properties = endpoint.properties as { privateLinkServiceConnections: unknown[] };
    properties.privateLinkServiceConnections = [];
    const verdict = judge(stateless(), [fromArmDocument(endpoint)]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("has no connection to contoso-openai-locked");
  });

  it("treats a null state like a missing one", () => {
    const document = withConnections(lockedDown(), [connection(ENDPOINT_ID, { status: null })]);
    const verdict = judge(document, [fromArmDocument(endpointDocument())]);
    expect(verdict.status).toBe("pass");
  });
});

const endpointRow = () =>
  selectRowsOf(
    awsFixture("config.SelectResourceConfig.ec2-vpc-endpoint.http.composed.json"),
  )[0] as Record<string, unknown>;
const aiRows = selectRowsOf(
  awsFixture("config.SelectResourceConfig.sagemaker-bedrock.http.synthetic.json"),
);
const guardrail = fromConfigItem(
  aiRows.find((r) => r.resourceType === "AWS::Bedrock::Guardrail") ?? {},
);
const notebook = fromConfigItem(
  aiRows.find((r) => r.resourceType === "AWS::SageMaker::NotebookInstance") ?? {},
);

function endpointWith(changes: Record<string, unknown>, item: Record<string, unknown> = {}) {
  const row = endpointRow();
  return fromConfigItem({
    ...row,
    ...item,
    configuration: { ...(row.configuration as object), ...changes },
  });
}

function judgeVpc(
  resource: CanonicalResource,
  resources: CanonicalResource[],
  accounts: AccountCollection[] = [completeAccount("aws", ACCOUNT)],
) {
  return privateEndpoint.evaluate(resource, contextWith({ resources, accounts }));
}

describe("network.private-endpoint on AWS VPCs", () => {
  it("passes a VPC with an available bedrock-runtime endpoint where Bedrock is used ({value} state)", () => {
    const verdict = judgeVpc(vpc({ isDefault: false }), [guardrail, fromConfigItem(endpointRow())]);
    expect(verdict.status).toBe("pass");
    expect(verdict.message).toContain(
      "bedrock-runtime endpoint vpce-0123456789abcdef0 is available",
    );
    expect(verdict.evidence).toContainEqual({
      path: "arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/vpce-0123456789abcdef0#configuration.state",
      actual: "available",
      expected: "available",
    });
  });

  it("accepts the state written as a plain string, in any case", () => {
    const endpoint = endpointWith({ state: "Available" });
    expect(judgeVpc(vpc({ isDefault: false }), [guardrail, endpoint]).status).toBe("pass");
  });

  it("fails a VPC whose bedrock-runtime endpoint is still pending", () => {
    const endpoint = endpointWith({ state: { value: "pending" } });
    const verdict = judgeVpc(vpc({ isDefault: false }), [guardrail, endpoint]);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain(
      'bedrock-runtime endpoint vpce-0123456789abcdef0 is "pending"',
    );
  });

  it("is an error naming an endpoint state EC2 does not document", () => {
    const endpoint = endpointWith({ state: "warming" });
    const verdict = judgeVpc(vpc({ isDefault: false }), [guardrail, endpoint]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain('"warming"');
  });

  it("fails when SageMaker is used in the region but only a Bedrock endpoint exists", () => {
    const verdict = judgeVpc(vpc({ isDefault: false }), [
      guardrail,
      notebook,
      fromConfigItem(endpointRow()),
    ]);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("no sagemaker.runtime endpoint");
    expect(verdict.evidence).toContainEqual({
      path: "AWS::EC2::VPCEndpoint with serviceName ending sagemaker.runtime",
      expected: "available",
    });
  });

  it("passes SageMaker through an available sagemaker.runtime endpoint", () => {
    const endpoint = endpointWith({ serviceName: "com.amazonaws.us-east-1.sagemaker.runtime" });
    expect(judgeVpc(vpc({ isDefault: false }), [notebook, endpoint]).status).toBe("pass");
  });

  it("is an error, not a fail, when the endpoint is missing from a region not collected completely", () => {
    const verdict = judgeVpc(
      vpc({ isDefault: false }),
      [guardrail],
      [partialAccount("aws", ACCOUNT, ["eu-west-1"])],
    );
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("was not collected completely");
  });

  it("is an error, not a pass, when Bedrock is reached but the region was not collected completely", () => {
    const verdict = judgeVpc(
      vpc({ isDefault: false }),
      [guardrail, fromConfigItem(endpointRow())],
      [partialAccount("aws", ACCOUNT, ["eu-west-1"])],
    );
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      "bedrock-runtime endpoint vpce-0123456789abcdef0 is available",
    );
    expect(verdict.message).toContain(
      `region us-east-1 of AWS account ${ACCOUNT} was not collected completely, so whether it ` +
        "also runs SageMaker",
    );
    expect(verdict.evidence).toContainEqual({
      path: `${ACCOUNT}/us-east-1#collection.status`,
      actual: "partial",
      expected: "complete",
    });
  });

  it("is an error, not a pass, when the account has no collection record", () => {
    const endpoint = endpointWith({ serviceName: "com.amazonaws.us-east-1.sagemaker.runtime" });
    const verdict = judgeVpc(vpc({ isDefault: false }), [notebook, endpoint], []);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("whether it also runs Bedrock");
    expect(verdict.evidence).toContainEqual({
      path: `${ACCOUNT}/us-east-1#collection.status`,
      expected: "complete",
    });
  });

  it("passes both runtimes reached in a region not collected completely: nothing else is needed", () => {
    const sagemaker = endpointWith(
      { serviceName: "com.amazonaws.us-east-1.sagemaker.runtime" },
      {
        resourceId: "vpce-sagemaker",
        arn: "arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/vpce-sagemaker",
      },
    );
    const verdict = judgeVpc(
      vpc({ isDefault: false }),
      [guardrail, notebook, fromConfigItem(endpointRow()), sagemaker],
      [partialAccount("aws", ACCOUNT)],
    );
    expect(verdict.status).toBe("pass");
  });

  it("keeps a pending endpoint a fail in a region not collected completely", () => {
    const endpoint = endpointWith({ state: { value: "pending" } });
    const verdict = judgeVpc(
      vpc({ isDefault: false }),
      [guardrail, endpoint],
      [partialAccount("aws", ACCOUNT)],
    );
    expect(verdict.status).toBe("fail");
  });

  it("fails a missing endpoint when the region was collected completely in a partial account", () => {
    const verdict = judgeVpc(
      vpc({ isDefault: false }),
      [guardrail],
      [partialAccount("aws", ACCOUNT, ["us-east-1"])],
    );
    expect(verdict.status).toBe("fail");
  });

  it("does not count an endpoint of the same VPC id in another region, or a deleted one", () => {
    const elsewhere = endpointWith({}, { awsRegion: "eu-west-1" });
    const deleted = endpointWith(
      {},
      {
        configurationItemStatus: "ResourceDeleted",
        resourceId: "vpce-gone",
        arn: "arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/vpce-gone",
      },
    );
    expect(judgeVpc(vpc({ isDefault: false }), [guardrail, elsewhere, deleted]).status).toBe(
      "fail",
    );
  });

  it("is not applicable to a default VPC", () => {
    const verdict = judgeVpc(vpc({ isDefault: true }), [guardrail]);
    expect(verdict.status).toBe("not-applicable");
    expect(verdict.evidence).toEqual([
      { path: "configuration.isDefault", actual: true, expected: false },
    ]);
  });

  it("is not applicable where the region holds no Bedrock or SageMaker resources", () => {
    const verdict = judgeVpc(vpc({ isDefault: false, region: "eu-west-1" }), [guardrail]);
    expect(verdict.status).toBe("not-applicable");
  });

  it("is an error when no AI resource is seen in a region that was not collected completely", () => {
    const verdict = judgeVpc(vpc({ isDefault: false }), [], [partialAccount("aws", ACCOUNT)]);
    expect(verdict.status).toBe("error");
  });

  it("is an error when isDefault is absent, since default VPCs cannot be told apart", () => {
    const verdict = judgeVpc(vpc(), [guardrail]);
    expect(verdict.status).toBe("error");
    expect(verdict.evidence).toEqual([{ path: "configuration.isDefault", expected: false }]);
  });

  it("is an error for a VPC that AWS Config did not record", () => {
    const verdict = judgeVpc(vpc({ isDefault: false, status: "ResourceNotRecorded" }), [guardrail]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("ResourceNotRecorded");
  });
});
