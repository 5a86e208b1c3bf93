import { describe, expect, it } from "vitest";
import type { CanonicalResource } from "../model.js";
import { diffResource, watchedProperties } from "./resource-diff.js";

function storageAccount(properties: Record<string, unknown>, id?: string): CanonicalResource {
  const armId =
    id ??
    "/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/rg-data" +
      "/providers/Microsoft.Storage/storageAccounts/stretail";
  return {
    provider: "azure",
    account: "00000000-0000-0000-0000-00000000a001",
    key: armId.toLowerCase(),
    id: armId,
    type: "Microsoft.Storage/storageAccounts",
    region: "westeurope",
    location: "westeurope",
    name: "stretail",
    tags: {},
    raw: { id: armId, location: "westeurope", properties },
    references: [],
    parentKey: null,
  };
}

describe("diffResource", () => {
  it("reports a watched property that changed with its value before and after", () => {
    const before = storageAccount({ publicNetworkAccess: "Disabled", minimumTlsVersion: "TLS1_2" });
    const after = storageAccount({ publicNetworkAccess: "Enabled", minimumTlsVersion: "TLS1_0" });

    expect(diffResource(before, after)).toEqual({
      kind: "changed",
      resource: after,
      before: { publicNetworkAccess: "Disabled" },
      after: { publicNetworkAccess: "Enabled" },
    });
  });

  it("reports a watched property that became absent as null", () => {
    const before = storageAccount({ encryption: { keySource: "Microsoft.Keyvault" } });
    const after = storageAccount({});

    expect(diffResource(before, after)).toMatchObject({
      before: { keySource: "Microsoft.Keyvault" },
      after: { keySource: null },
    });
  });

  it("ignores unwatched properties, case changes of values and of the id", () => {
    const before = storageAccount({ publicNetworkAccess: "Disabled", minimumTlsVersion: "TLS1_2" });
    const after = storageAccount(
      { publicNetworkAccess: "disabled", minimumTlsVersion: "TLS1_0" },
      before.id.toUpperCase(),
    );

    expect(diffResource(before, after)).toBeNull();
  });

  it("reports appeared and disappeared resources with their watched properties", () => {
    const resource = storageAccount({
      publicNetworkAccess: "Disabled",
      allowSharedKeyAccess: false,
    });

    expect(diffResource(undefined, resource)).toEqual({
      kind: "appeared",
      resource,
      before: null,
      after: { region: "westeurope", publicNetworkAccess: "Disabled", allowSharedKeyAccess: false },
    });
    expect(diffResource(resource, undefined)?.kind).toBe("disappeared");
    expect(diffResource(undefined, undefined)).toBeNull();
  });

  it("watches the SKU and model of a model deployment only", () => {
    const deployment: CanonicalResource = {
      ...storageAccount({}),
      type: "Microsoft.CognitiveServices/accounts/deployments",
      raw: {
        sku: { name: "DataZoneStandard" },
        properties: { model: { format: "OpenAI", name: "gpt-4o", version: "2024-08-06" } },
      },
    };

    expect(watchedProperties(deployment)).toEqual({
      region: "westeurope",
      deploymentSku: "DataZoneStandard",
      deploymentModel: { format: "OpenAI", name: "gpt-4o", version: "2024-08-06" },
    });
    expect(watchedProperties({ ...deployment, type: "Microsoft.Storage/storageAccounts" })).toEqual(
      { region: "westeurope" },
    );
  });
});
