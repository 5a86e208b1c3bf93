import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import type { EstateSettings } from "@plumbline/emulator";
import { afterEach, describe, expect, it } from "vitest";
import { collectAzure, createAzureClients } from "../src/collectors/index.js";
import {
  casesEstateDir,
  createEstate,
  createRecorder,
  type EmulatedClouds,
  generateStorageAccounts,
  readFixture,
  SUBSCRIPTION,
  startClouds,
  type TemporaryEstate,
} from "./collectors-support.js";

type ArmDocument = Record<string, unknown> & { id: string; name: string };

const openAiId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-contoso-openai/providers/Microsoft.CognitiveServices/accounts/contoso-openai`;
const firewallId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-contoso-hub/providers/Microsoft.Network/azureFirewalls/afw-contoso`;
const cmkVaultId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-contoso-kv2/providers/Microsoft.KeyVault/vaults/Kv-Contoso-Cmk`;

/** A vault key as the Key Vault management API lists it (documented fields, made-up values). */
const vaultKey = {
  id: `${cmkVaultId}/keys/cmk-storage`,
  name: "cmk-storage",
  type: "Microsoft.KeyVault/vaults/keys",
  location: "westeurope",
  tags: {},
  properties: {
    attributes: { enabled: true, created: 1767225600, updated: 1767225600, exportable: false },
    kty: "RSA",
    keyOps: ["wrapKey", "unwrapKey"],
    keySize: 2048,
    keyUri: "https://kv-contoso-cmk.vault.azure.net/keys/cmk-storage",
    keyUriWithVersion: "https://kv-contoso-cmk.vault.azure.net/keys/cmk-storage/0123456789abcdef",
  },
};

let estate: TemporaryEstate | undefined;
let clouds: EmulatedClouds | undefined;

afterEach(async () => {
  await clouds?.close();
  await estate?.remove();
  clouds = undefined;
  estate = undefined;
});

/** The case estate plus the Azure fixtures that have child lists. */
async function createFixtureEstate(): Promise<{
  estate: TemporaryEstate;
  deployments: ArmDocument[];
  diagnosticSetting: ArmDocument;
}> {
  const created = await createEstate({ withCases: true });
  const fixtureFiles = [
    "Microsoft.CognitiveServices_accounts.OpenAI.arm.real.json",
    "Microsoft.CognitiveServices_accounts.AIServices.arm.real.json",
    "Microsoft.KeyVault_vaults.list.arm.real.json",
    "Microsoft.Network_azureFirewalls.get.arm.spec-2024-05-01.json",
  ];
  for (const file of fixtureFiles) {
    await created.write(`azure/fixtures/${file}`, await readFixture(`azure/${file}`));
  }
  const deploymentList = await readFixture<{ value: ArmDocument[] }>(
    "azure/Microsoft.CognitiveServices_accounts_deployments.list.arm.real.json",
  );
  const [first] = deploymentList.value;
  if (!first) throw new Error("the deployment fixture is empty");
  const second = {
    ...structuredClone(first),
    id: first.id.replace("gpt-4o-mini-deploy", "gpt-4o-deploy"),
    name: "gpt-4o-deploy",
  };
  const deployments = [first, second];
  await created.write("azure/fixtures/deployments.json", deployments);

  const setting = await readFixture<ArmDocument>(
    "azure/Microsoft.Insights_diagnosticSettings.get.arm.spec-2021-05-01-preview.json",
  );
  // Re-pointed at the firewall, with the lower-cased path real settings ids carry.
  const diagnosticSetting = {
    ...setting,
    id: `${firewallId.toLowerCase()}/providers/microsoft.insights/diagnosticSettings/fw-logs`,
    name: "fw-logs",
  };
  await created.write("azure/fixtures/firewall-diagnostics.json", diagnosticSetting);
  await created.write("azure/fixtures/vault-key.json", vaultKey);
  return { estate: created, deployments, diagnosticSetting };
}

describe("collectAzure", () => {
  it("canonicalises Resource Graph rows and child lists while keeping each document as sent", async () => {
    const fixture = await createFixtureEstate();
    estate = fixture.estate;
    clouds = await startClouds(estate.dir, { pageSize: { armList: 1 } });
    const recorder = createRecorder();

    const [collection] = await collectAzure({
      clients: clouds.azure,
      subscriptions: [SUBSCRIPTION],
      onResources: recorder.onResources,
      sleep: recorder.sleep,
    });

    const resources = recorder.resources();
    expect(collection).toEqual({
      provider: "azure",
      account: SUBSCRIPTION,
      status: "complete",
      reason: null,
      resources: resources.length,
      skippedRegions: [],
      completeRegions: [],
    });

    const caseDocument = JSON.parse(
      await readFile(join(casesEstateDir, "azure/oai-demo01.json"), "utf8"),
    ) as ArmDocument;
    const account = recorder.byName("oai-demo01");
    expect(account?.type).toBe("Microsoft.CognitiveServices/accounts");
    expect(account?.key).toBe(caseDocument.id.toLowerCase());
    expect(account?.region).toBe("swedencentral");
    expect(account?.raw.type).toBe("microsoft.cognitiveservices/accounts");
    expect(account?.raw.properties).toEqual(caseDocument.properties);

    const firewall = recorder.byName("afw-contoso");
    expect(firewall?.location).toBe("West US");
    expect(firewall?.region).toBe("westus");

    const parent = recorder.byName("contoso-openai");
    for (const document of fixture.deployments) {
      const deployment = recorder.byName(document.name);
      expect(deployment?.type).toBe("Microsoft.CognitiveServices/accounts/deployments");
      expect(deployment?.raw).toEqual(document);
      expect(deployment?.parentKey).toBe(openAiId.toLowerCase());
      expect(deployment?.region).toBe(parent?.region);
    }
    // Eight AI services accounts, one of them with a second page.
    expect(clouds.emulator.requestCounts().listDeployments).toBe(9);

    const key = recorder.byName("cmk-storage");
    expect(key?.type).toBe("Microsoft.KeyVault/vaults/keys");
    expect(key?.raw).toEqual(vaultKey);
    expect(key?.parentKey).toBe(cmkVaultId.toLowerCase());

    const setting = recorder.byName("fw-logs");
    expect(setting?.type).toBe("Microsoft.Insights/diagnosticSettings");
    expect(setting?.raw).toEqual(fixture.diagnosticSetting);
    expect(setting?.parentKey).toBe(firewallId.toLowerCase());
    expect(setting?.region).toBe("westus");

    expect(clouds.emulator.requestCounts().listVaultKeys).toBe(8);
    expect(clouds.counters.azure.calls).toBeGreaterThanOrEqual(
      Object.values(clouds.emulator.requestCounts()).reduce((sum, count) => sum + count, 0),
    );
  });

  it("pages 2,500 Resource Graph rows in three pages and awaits each page before the next", async () => {
    estate = await createEstate();
    await estate.write("azure/generated.json", generateStorageAccounts(SUBSCRIPTION, 2500));
    clouds = await startClouds(estate.dir);
    const emulator = clouds.emulator;
    const pageSizes: number[] = [];
    let inFlight = 0;
    let mostInFlight = 0;

    const [collection] = await collectAzure({
      clients: clouds.azure,
      subscriptions: [SUBSCRIPTION],
      onResources: async (page) => {
        inFlight += page.length;
        mostInFlight = Math.max(mostInFlight, inFlight);
        pageSizes.push(page.length);
        // The next query must not be sent while this page is still being consumed.
        expect(emulator.requestCounts().resourceGraph).toBe(pageSizes.length);
        await delay(20);
        expect(emulator.requestCounts().resourceGraph).toBe(pageSizes.length);
        inFlight -= page.length;
      },
    });

    expect(collection?.status).toBe("complete");
    expect(collection?.resources).toBe(2500);
    expect(pageSizes).toEqual([1000, 1000, 500]);
    expect(emulator.requestCounts().resourceGraph).toBe(3);
    expect(mostInFlight).toBe(1000);
  });

  it("queries at most 299 subscriptions at a time", async () => {
    estate = await createEstate();
    const subscriptions = Array.from(
      { length: 300 },
      (_, index) => `00000000-0000-0000-0000-${String(index).padStart(12, "0")}`,
    );
    await estate.write("azure/generated.json", generateStorageAccounts(SUBSCRIPTION, 3));
    clouds = await startClouds(estate.dir, { accounts: { azure: subscriptions } });
    const recorder = createRecorder();

    const collections = await collectAzure({
      clients: clouds.azure,
      subscriptions,
      onResources: recorder.onResources,
    });

    expect(clouds.emulator.requestCounts().resourceGraph).toBe(2);
    expect(collections).toHaveLength(300);
    expect(collections.every((collection) => collection.status === "complete")).toBe(true);
    expect(collections[0]?.resources).toBe(3);
  });

  it("waits out a 429 RateLimiting for the time the quota headers announce, then completes", async () => {
    estate = await createEstate({ withCases: true });
    clouds = await startClouds(estate.dir, {
      faults: [{ operation: "resourceGraph", kind: "throttle", times: 1 }],
    });
    const recorder = createRecorder();

    const [collection] = await collectAzure({
      clients: clouds.azure,
      subscriptions: [SUBSCRIPTION],
      onResources: recorder.onResources,
      sleep: recorder.sleep,
    });

    expect(collection?.status).toBe("complete");
    expect(collection?.resources).toBe(14);
    expect(clouds.emulator.requestCounts().resourceGraph).toBe(2);
    expect(clouds.counters.azure.throttles).toBe(1);
    expect(recorder.sleeps).toHaveLength(1);
    expect(recorder.sleeps[0]).toBeGreaterThanOrEqual(1000);
    expect(recorder.sleeps[0]).toBeLessThanOrEqual(5000);
  });

  it("holds back the next query until an exhausted quota resets", async () => {
    estate = await createEstate();
    await estate.write("azure/generated.json", generateStorageAccounts(SUBSCRIPTION, 450));
    clouds = await startClouds(estate.dir, { azure: { quota: { queries: 2, windowSeconds: 1 } } });
    const sleeps: number[] = [];

    const [collection] = await collectAzure({
      clients: clouds.azure,
      subscriptions: [SUBSCRIPTION],
      pageSize: 100,
      onResources: async () => {},
      sleep: async (milliseconds) => {
        sleeps.push(milliseconds);
        await delay(milliseconds);
      },
    });

    expect(collection?.status).toBe("complete");
    expect(collection?.resources).toBe(450);
    expect(clouds.emulator.requestCounts().resourceGraph).toBe(5);
    expect(clouds.counters.azure.throttles).toBe(0);
    expect(sleeps.length).toBeGreaterThanOrEqual(2);
  });

  it("marks the subscription partial, naming the page, when a later page keeps failing", async () => {
    estate = await createEstate();
    await estate.write("azure/generated.json", generateStorageAccounts(SUBSCRIPTION, 1500));
    clouds = await startClouds(estate.dir, {
      faults: [{ operation: "resourceGraph", kind: "fail-page", page: 2 }],
    });
    const recorder = createRecorder();

    const [collection] = await collectAzure({
      clients: clouds.azure,
      subscriptions: [SUBSCRIPTION],
      onResources: recorder.onResources,
      sleep: recorder.sleep,
    });

    expect(collection?.status).toBe("partial");
    expect(collection?.reason).toMatch(/^Resource Graph page 2 failed after 5 attempts: 500/);
    expect(collection?.resources).toBe(1000);
    expect(recorder.sleeps).toHaveLength(4);
  });

  it("fails the subscription when the first Resource Graph page is malformed", async () => {
    estate = await createEstate({ withCases: true });
    clouds = await startClouds(estate.dir, {
      faults: [{ operation: "resourceGraph", kind: "malformed", times: 1 }],
    });
    const recorder = createRecorder();

    const [collection] = await collectAzure({
      clients: clouds.azure,
      subscriptions: [SUBSCRIPTION],
      onResources: recorder.onResources,
      sleep: recorder.sleep,
    });

    expect(collection?.status).toBe("failed");
    expect(collection?.reason).toBe("Resource Graph page 1: the response was not valid JSON");
    expect(recorder.resources()).toHaveLength(0);
  });

  it("fails the subscription with the reason when the credential cannot get a token", async () => {
    estate = await createEstate({ withCases: true });
    clouds = await startClouds(estate.dir);
    const unavailable = new Error("EnvironmentCredential is unavailable.\nMore lines follow.");
    unavailable.name = "CredentialUnavailableError";
    const azure = createAzureClients({
      estate: clouds.emulator,
      credential: {
        getToken: async () => {
          throw unavailable;
        },
      },
    });
    const recorder = createRecorder();

    const [collection] = await collectAzure({
      clients: azure,
      subscriptions: [SUBSCRIPTION],
      onResources: recorder.onResources,
      sleep: recorder.sleep,
    });

    expect(collection?.status).toBe("failed");
    expect(collection?.reason).toBe(
      "Resource Graph page 1 failed: the credential could not get a token " +
        "(CredentialUnavailableError: EnvironmentCredential is unavailable.)",
    );
    expect(recorder.resources()).toHaveLength(0);
  });

  it("marks the subscription partial when a child list body is malformed", async () => {
    const fixture = await createFixtureEstate();
    estate = fixture.estate;
    clouds = await startClouds(estate.dir, {
      faults: [{ operation: "listDeployments", kind: "malformed", times: 1 }],
    });
    const recorder = createRecorder();

    const [collection] = await collectAzure({
      clients: clouds.azure,
      subscriptions: [SUBSCRIPTION],
      onResources: recorder.onResources,
    });

    expect(collection?.status).toBe("partial");
    expect(collection?.reason).toMatch(
      /^model deployments of \/subscriptions\/.+\/accounts\/oai-demo01 could not be listed: 200 PARSE_ERROR/,
    );
    expect(collection?.resources).toBe(recorder.resources().length);
    expect(recorder.byName("cmk-storage")).toBeDefined();
    expect(recorder.byName("gpt-4o-mini-deploy")).toBeDefined();
  });

  it("marks the subscription partial when a vault's keys cannot be listed", async () => {
    const fixture = await createFixtureEstate();
    estate = fixture.estate;
    const settings: EstateSettings = {
      faults: [{ operation: "listVaultKeys", kind: "server-error", account: SUBSCRIPTION }],
    };
    clouds = await startClouds(estate.dir, settings);
    const recorder = createRecorder();

    const [collection] = await collectAzure({
      clients: clouds.azure,
      subscriptions: [SUBSCRIPTION],
      onResources: recorder.onResources,
    });

    expect(collection?.status).toBe("partial");
    expect(collection?.reason).toContain(`vault keys of ${cmkVaultId} could not be listed: 500`);
    expect(recorder.byName("gpt-4o-mini-deploy")).toBeDefined();
    expect(recorder.byName("cmk-storage")).toBeUndefined();
  });

  it("lets a failing consumer end the collection instead of reporting the subscription partial", async () => {
    const fixture = await createFixtureEstate();
    estate = fixture.estate;
    clouds = await startClouds(estate.dir);
    const refusal = new Error("store unavailable");

    const collecting = collectAzure({
      clients: clouds.azure,
      subscriptions: [SUBSCRIPTION],
      onResources: async (page) => {
        if (page.some((resource) => resource.type.endsWith("/deployments"))) throw refusal;
      },
    });

    await expect(collecting).rejects.toBe(refusal);
  });
});
