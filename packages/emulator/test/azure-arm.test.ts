import { CognitiveServicesManagementClient } from "@azure/arm-cognitiveservices";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { ResourceGraphClient } from "@azure/arm-resourcegraph";
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
} from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.js";
import {
  createFakeCredential,
  type Json,
  readArmDocuments,
  readFixture,
  removeEstates,
  writeEstate,
} from "./support/estate-files.js";

const subscription = "00000000-0000-0000-0000-000000000000";
const credential = createFakeCredential();

const cmkVaultId = `/subscriptions/${subscription}/resourceGroups/rg-contoso-kv2/providers/Microsoft.KeyVault/vaults/Kv-Contoso-Cmk`;
const openAiId = `/subscriptions/${subscription}/resourceGroups/rg-contoso-openai/providers/Microsoft.CognitiveServices/accounts/contoso-openai`;
const loadBalancerId = `/subscriptions/${subscription}/resourceGroups/rg-contoso-diag/providers/Microsoft.Network/loadBalancers/lb-contoso`;

/** Every ARM document fixture, served together as one estate. */
const armFixtureFiles = [
  "Microsoft.AppConfiguration_configurationStores.list-with-privateEndpointConnections.arm.real.json",
  "Microsoft.CognitiveServices_accounts.AIServices.arm.real.json",
  "Microsoft.CognitiveServices_accounts.OpenAI-locked-down.arm.composed.json",
  "Microsoft.CognitiveServices_accounts.OpenAI.arm.real.json",
  "Microsoft.CognitiveServices_accounts_deployments.list.arm.real.json",
  "Microsoft.DBforPostgreSQL_flexibleServers.get-cmk-vnet.arm.spec-2024-08-01.json",
  "Microsoft.DBforPostgreSQL_flexibleServers.get-privateendpoint.arm.spec-2024-08-01.json",
  "Microsoft.DBforPostgreSQL_flexibleServers.get-systemmanaged-public.arm.spec-2024-08-01.json",
  "Microsoft.DBforPostgreSQL_flexibleServers.list.arm.real.json",
  "Microsoft.Insights_diagnosticSettings.get.arm.spec-2021-05-01-preview.json",
  "Microsoft.Insights_diagnosticSettings.list-on-resource.http.real.json",
  "Microsoft.Insights_diagnosticSettings.list-on-subscription.http.real.json",
  "Microsoft.KeyVault_vaults.get.arm.spec-2023-07-01.json",
  "Microsoft.KeyVault_vaults.list.arm.real.json",
  "Microsoft.Network_azureFirewalls.get.arm.spec-2024-05-01.json",
  "Microsoft.Network_privateDnsZones.get.arm.spec-2024-06-01.json",
  "Microsoft.Network_privateDnsZones_virtualNetworkLinks.get.arm.spec-2024-06-01.json",
  "Microsoft.Network_privateEndpoints.get.arm.spec-2024-05-01.json",
  "Microsoft.Search_searchServices.cmk-enforced.arm.spec-2025-05-01.json",
  "Microsoft.Search_searchServices.list.arm-2015-08-19.real.json",
  "Microsoft.Search_searchServices.public-disabled.arm.spec-2025-05-01.json",
  "Microsoft.Storage_storageAccounts.get-cmk.arm.spec-2023-05-01.json",
  "Microsoft.Storage_storageAccounts.list.arm.real.json",
];

const childTypes = new Set([
  "microsoft.cognitiveservices/accounts/deployments",
  "microsoft.insights/diagnosticsettings",
]);

/**
 * Documents the tests add: a VM with the real mixed-case id, a diagnostic settings parent,
 * vault keys and two more deployments (served after the fixtures: estate order is path order).
 */
function composeExtraDocuments(): Record<string, unknown> {
  const casing = readFixture<Json>(
    "azure/Microsoft.Compute_virtualMachines.arm-vs-arg-id-casing.real.json",
  );
  const deployment = readArmDocuments(
    "azure/Microsoft.CognitiveServices_accounts_deployments.list.arm.real.json",
  )[0] as Json;
  const keys = ["key-a", "key-b", "key-c"].map((name) => ({
    id: `${cmkVaultId}/keys/${name}`,
    name,
    type: "Microsoft.KeyVault/vaults/keys",
    location: "eastus",
    tags: {},
    properties: {
      attributes: { enabled: true, exportable: false },
      kty: "RSA",
      keySize: 2048,
      keyUri: `https://kv-contoso-cmk.vault.azure.net/keys/${name}`,
    },
  }));
  const moreDeployments = ["gpt-4o-deploy", "text-embedding-deploy"].map((name) => ({
    ...deployment,
    id: `${openAiId}/deployments/${name}`,
    name,
  }));
  return {
    "azure/test-extras/compute/vm.json": {
      id: casing.arm_list_item_id,
      name: "vm-contoso",
      type: "Microsoft.Compute/virtualMachines",
      location: casing.arm_location,
      properties: { provisioningState: "Succeeded" },
    },
    "azure/test-extras/network/load-balancer.json": {
      id: loadBalancerId,
      name: "lb-contoso",
      type: "Microsoft.Network/loadBalancers",
      location: "eastus",
      properties: {},
    },
    "azure/test-extras/keys/cmk-keys.json": keys,
    "azure/test-extras/deployments/more.json": moreDeployments,
  };
}

async function writeArmEstate(settingsYaml?: string): Promise<string> {
  const files: Record<string, unknown> = composeExtraDocuments();
  for (const file of armFixtureFiles) {
    files[`azure/fixtures/${file}`] = readArmDocuments(`azure/${file}`);
  }
  if (settingsYaml !== undefined) files["estate.yaml"] = settingsYaml;
  return writeEstate(files);
}

function createGraphClient(emulator: RunningEmulator, maxRetries = 0): ResourceGraphClient {
  return new ResourceGraphClient(credential, {
    endpoint: emulator.azureEndpoint,
    tlsOptions: { ca: emulator.caCertificate },
    retryOptions: { maxRetries, retryDelayInMs: 10, maxRetryDelayInMs: 20 },
  });
}

/** Sends a raw GET through a real core-rest-pipeline with the bearer policy. */
async function getThroughPipeline(
  emulator: RunningEmulator,
  path: string,
): Promise<{ status: number; body: Json }> {
  const pipeline = createPipelineFromOptions({
    tlsOptions: { ca: emulator.caCertificate },
    retryOptions: { maxRetries: 0 },
  });
  pipeline.addPolicy(
    bearerTokenAuthenticationPolicy({
      credential,
      scopes: "https://management.azure.com/.default",
    }),
  );
  const request = createPipelineRequest({
    url: path.startsWith("https://") ? path : `${emulator.azureEndpoint}${path}`,
    method: "GET",
    headers: createHttpHeaders({ accept: "application/json" }),
  });
  const response = await pipeline.sendRequest(createDefaultHttpClient(), request);
  return { status: response.status, body: JSON.parse(response.bodyAsText ?? "null") as Json };
}

afterAll(removeEstates);

describe("Resource Graph over the fixture estate", () => {
  let emulator: RunningEmulator;
  const allDocuments = armFixtureFiles.flatMap((file) => readArmDocuments(`azure/${file}`));

  beforeAll(async () => {
    emulator = await startEmulator({
      estateDir: await writeArmEstate("pageSize: { armList: 2 }\n"),
    });
  });
  afterAll(() => emulator.close());

  it("answers every top-level fixture document as a row with its id, properties and tags unchanged", async () => {
    const client = createGraphClient(emulator);
    const result = await client.resources({
      query: "resources | order by id asc",
      subscriptions: [subscription],
    });
    const rows = result.data as Json[];

    const topLevel = allDocuments.filter((document) => {
      const type = String(document.type ?? "").toLowerCase();
      return (
        !childTypes.has(type) && !String(document.id).toLowerCase().includes("/diagnosticsettings/")
      );
    });
    for (const document of topLevel) {
      const row = rows.find((candidate) => candidate.id === document.id);
      expect(row, String(document.id)).toBeDefined();
      expect(row?.properties).toEqual(document.properties ?? null);
      expect(row?.tags).toEqual(document.tags ?? null);
      expect(row?.type).toBe(String(document.type).toLowerCase());
    }
    expect(result.totalRecords).toBe(topLevel.length + 2);
    expect(result.resultTruncated).toBe("false");
    expect(rows.map((row) => row.id)).toEqual([...rows.map((row) => row.id)].sort());
  });

  it("keeps the document's mixed-case id and lower-cases type and resourceGroup as the real service does", async () => {
    const casing = readFixture<Json>(
      "azure/Microsoft.Compute_virtualMachines.arm-vs-arg-id-casing.real.json",
    );
    const result = await createGraphClient(emulator).resources({
      query: "resources | where type =~ 'Microsoft.Compute/virtualMachines'",
      subscriptions: [subscription],
    });
    const [row] = result.data as Json[];

    expect(row?.id).toBe(casing.arm_list_item_id);
    expect(row?.type).toBe(casing.arg_row_type);
    expect(row?.resourceGroup).toBe(casing.arg_row_resourceGroup);
    expect(row?.subscriptionId).toBe(subscription);
    expect(row?.tenantId).toBe("11111111-1111-1111-1111-111111111111");
  });

  it("serves private DNS zone links as rows but not deployments or diagnostic settings", async () => {
    const result = await createGraphClient(emulator).resources({
      query:
        "resources | where type in~ ('microsoft.network/privatednszones/virtualnetworklinks', 'microsoft.cognitiveservices/accounts/deployments', 'microsoft.insights/diagnosticsettings') | project id, type",
      subscriptions: [subscription],
    });

    expect(result.data).toEqual([
      {
        id: readArmDocuments(
          "azure/Microsoft.Network_privateDnsZones_virtualNetworkLinks.get.arm.spec-2024-06-01.json",
        )[0]?.id,
        type: "microsoft.network/privatednszones/virtualnetworklinks",
      },
    ]);
  });

  it("projects only the named columns and reports resultTruncated as a string", async () => {
    const result = await createGraphClient(emulator).resources({
      query:
        "Resources | where type =~ 'microsoft.keyvault/vaults' | project id, name | order by id asc",
      subscriptions: [subscription],
      options: { top: 4 },
    });

    expect(result.count).toBe(4);
    expect(result.totalRecords).toBe(6);
    expect(result.resultTruncated).toBe("false");
    expect(typeof result.skipToken).toBe("string");
    expect(Object.keys((result.data as Json[])[0] ?? {})).toEqual(["id", "name"]);
  });

  it('flags a page as truncated (string "true") when the projection has no id to page on', async () => {
    const result = await createGraphClient(emulator).resources({
      query: "resources | where type =~ 'microsoft.keyvault/vaults' | project name",
      subscriptions: [subscription],
      options: { top: 2 },
    });

    expect(result.resultTruncated).toBe("true");
    expect(result.skipToken).toBeUndefined();
    expect(result.count).toBe(2);
  });

  it("answers in table format with the real service's column order and types", async () => {
    const recorded = readFixture<{ response: { body: { data: { columns: Json[] } } } }>(
      "azure/Microsoft.ResourceGraph_resources.table-format.storage.http.real.json",
    );
    const result = await createGraphClient(emulator).resources({
      query: "resources | where type =~ 'microsoft.storage/storageaccounts'",
      subscriptions: [subscription],
      options: { resultFormat: "table" },
    });
    const table = result.data as { columns: Json[]; rows: unknown[][] };

    expect(table.columns.slice(0, recorded.response.body.data.columns.length)).toEqual(
      recorded.response.body.data.columns,
    );
    expect(table.rows).toHaveLength(5);
  });

  it("filters rows by the request's subscriptions", async () => {
    const result = await createGraphClient(emulator).resources({
      query: "resources",
      subscriptions: ["99999999-0000-0000-0000-000000000000"],
    });

    expect(result.totalRecords).toBe(0);
    expect(result.data).toEqual([]);
  });

  it("refuses a recorded query outside the supported subset with 400 BadRequest", async () => {
    const recorded = readFixture<{ request: { body: { query: string } } }>(
      "azure/Microsoft.ResourceGraph_resources.first-page.http.spec-2024-04-01.json",
    );
    const error = await createGraphClient(emulator)
      .resources({ query: recorded.request.body.query, subscriptions: [subscription] })
      .catch((caught: unknown) => caught);

    expect(error).toMatchObject({ statusCode: 400, code: "BadRequest" });
    expect(JSON.stringify((error as { details?: unknown }).details)).toContain("contains");
  });

  it("lists every served subscription on GET /subscriptions", async () => {
    const { status, body } = await getThroughPipeline(
      emulator,
      "/subscriptions?api-version=2022-12-01",
    );

    expect(status).toBe(200);
    expect(body.value).toEqual([
      {
        id: `/subscriptions/${subscription}`,
        subscriptionId: subscription,
        displayName: subscription,
        state: "Enabled",
        tenantId: "11111111-1111-1111-1111-111111111111",
      },
    ]);
  });

  it("lists a vault's keys through @azure/arm-keyvault, following nextLink", async () => {
    const client = new KeyVaultManagementClient(credential, subscription, {
      endpoint: emulator.azureEndpoint,
      tlsOptions: { ca: emulator.caCertificate },
    });
    const pages: string[][] = [];
    for await (const page of client.keys.list("rg-contoso-kv2", "kv-contoso-cmk").byPage()) {
      pages.push(page.map((key) => key.name ?? ""));
    }
    const before = emulator.requestCounts().listVaultKeys ?? 0;
    const keys = [];
    for await (const key of client.keys.list("RG-CONTOSO-KV2", "Kv-Contoso-Cmk")) keys.push(key);

    expect(pages).toEqual([["key-a", "key-b"], ["key-c"]]);
    expect(keys[0]?.id).toBe(`${cmkVaultId}/keys/key-a`);
    expect(keys[0]?.kty).toBe("RSA");
    expect(keys[0]?.attributes?.enabled).toBe(true);
    expect((emulator.requestCounts().listVaultKeys ?? 0) - before).toBe(2);
  });

  it("gets a single vault with its posture fields through @azure/arm-keyvault", async () => {
    const client = new KeyVaultManagementClient(credential, subscription, {
      endpoint: emulator.azureEndpoint,
      tlsOptions: { ca: emulator.caCertificate },
    });
    const vault = await client.vaults.get("rg-contoso-kv2", "kv-contoso-cmk");

    expect(vault.id).toBe(cmkVaultId);
    expect(vault.properties.enablePurgeProtection).toBe(true);
  });

  it("lists deployments through @azure/arm-cognitiveservices, following nextLink", async () => {
    const client = new CognitiveServicesManagementClient(credential, subscription, {
      endpoint: emulator.azureEndpoint,
      tlsOptions: { ca: emulator.caCertificate },
    });
    const before = emulator.requestCounts().listDeployments ?? 0;
    const deployments = [];
    for await (const deployment of client.deployments.list("rg-contoso-openai", "contoso-openai")) {
      deployments.push(deployment);
    }
    const recorded = readArmDocuments(
      "azure/Microsoft.CognitiveServices_accounts_deployments.list.arm.real.json",
    )[0];

    expect(deployments.map((deployment) => deployment.name)).toEqual([
      "gpt-4o-mini-deploy",
      "gpt-4o-deploy",
      "text-embedding-deploy",
    ]);
    expect(deployments[0]?.id).toBe(recorded?.id);
    expect(deployments[0]?.properties?.model).toEqual({
      format: "OpenAI",
      name: "gpt-4o-mini",
      version: "2024-07-18",
    });
    expect((emulator.requestCounts().listDeployments ?? 0) - before).toBe(2);
  });

  it("answers an account without deployments with the real empty list", async () => {
    const recorded = readFixture<Json>(
      "azure/Microsoft.CognitiveServices_accounts_deployments.list-empty.arm.real.json",
    );
    const { body } = await getThroughPipeline(
      emulator,
      `/subscriptions/${subscription}/resourceGroups/rg-contoso-ai/providers/Microsoft.CognitiveServices/accounts/contoso-aiservices/deployments?api-version=2025-06-01`,
    );

    expect(body).toEqual(recorded);
  });

  it("lists diagnostic settings of a resource, matching the parent id without regard to case", async () => {
    const recorded = readFixture<{ request: { url: string }; response: { body: Json } }>(
      "azure/Microsoft.Insights_diagnosticSettings.list-on-resource.http.real.json",
    );
    const path = new URL(recorded.request.url);
    const { status, body } = await getThroughPipeline(emulator, `${path.pathname}${path.search}`);

    expect(status).toBe(200);
    expect(body).toEqual(recorded.response.body);
  });

  it("lists subscription-level diagnostic settings whose ids have no leading slash", async () => {
    const recorded = readFixture<{ request: { url: string }; response: { body: Json } }>(
      "azure/Microsoft.Insights_diagnosticSettings.list-on-subscription.http.real.json",
    );
    const path = new URL(recorded.request.url);
    const { body } = await getThroughPipeline(emulator, `${path.pathname}${path.search}`);

    expect(body).toEqual(recorded.response.body);
  });

  it("lists the diagnostic setting nested under an AI account", async () => {
    const recorded = readArmDocuments(
      "azure/Microsoft.Insights_diagnosticSettings.get.arm.spec-2021-05-01-preview.json",
    );
    const { body } = await getThroughPipeline(
      emulator,
      `${openAiId}/providers/Microsoft.Insights/diagnosticSettings?api-version=2021-05-01-preview`,
    );

    expect(body).toEqual({ value: recorded });
  });

  it("answers the recorded list-by-subscription request with the recorded documents", async () => {
    const recorded = readFixture<{
      request: { url: string };
      response: { body: { value: Json[] } };
    }>("azure/Microsoft.CognitiveServices_accounts.list-by-subscription.http.real.json");
    const path = new URL(recorded.request.url);
    const first = await getThroughPipeline(emulator, `${path.pathname}${path.search}`);
    const second = await getThroughPipeline(emulator, String(first.body.nextLink));
    const served = [...(first.body.value as Json[]), ...(second.body.value as Json[])];

    for (const document of recorded.response.body.value) {
      expect(served).toContainEqual(document);
    }
    expect(served).toHaveLength(3);
    expect(second.body.nextLink).toBeUndefined();
  });

  it("answers an unknown route with a 404 ARM error and a missing token with 401", async () => {
    const unknown = await getThroughPipeline(
      emulator,
      `/subscriptions/${subscription}/resourceGroups/rg/providers/Microsoft.Web/sites/app/config?api-version=2024-01-01`,
    );
    const response = await fetchWithoutToken(emulator, "/subscriptions?api-version=2022-12-01");

    expect(unknown.status).toBe(404);
    expect((unknown.body.error as Json).code).toBe("ResourceNotFound");
    expect(response.status).toBe(401);
  });
});

async function fetchWithoutToken(
  emulator: RunningEmulator,
  path: string,
): Promise<{ status: number }> {
  const pipeline = createPipelineFromOptions({
    tlsOptions: { ca: emulator.caCertificate },
    retryOptions: { maxRetries: 0 },
  });
  const request = createPipelineRequest({ url: `${emulator.azureEndpoint}${path}`, method: "GET" });
  const response = await pipeline.sendRequest(createDefaultHttpClient(), request);
  return { status: response.status };
}
