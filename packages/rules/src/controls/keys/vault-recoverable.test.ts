import { describe, expect, it } from "vitest";
import { contextWith } from "../../../test/support/evaluation.js";
import { armDocumentsOf, azureFixture } from "../../../test/support/fixtures.js";
import { fromArmDocument } from "../../canonical/from-arm-document.js";
import { vaultRecoverable } from "./vault-recoverable.js";

const vaults = armDocumentsOf(azureFixture("Microsoft.KeyVault_vaults.list.arm.real.json"));

function vault(name: string): Record<string, unknown> {
  const document = vaults.find((v) => v.name === name);
  if (document === undefined) throw new Error(`no vault ${name}`);
  return document;
}

function judge(document: Record<string, unknown>) {
  return vaultRecoverable.evaluate(fromArmDocument(document), contextWith());
}

function withProperties(document: Record<string, unknown>, changes: Record<string, unknown>) {
  return { ...document, properties: { ...(document.properties as object), ...changes } };
}

describe("keys.vault-recoverable", () => {
  it("passes a vault with soft delete and purge protection explicitly true", () => {
    const verdict = judge(vault("Kv-Contoso-Cmk"));
    expect(verdict.status).toBe("pass");
    expect(verdict.evidence).toEqual([
      { path: "properties.enableSoftDelete", actual: true, expected: true },
      { path: "properties.enablePurgeProtection", actual: true, expected: true },
    ]);
  });

  it("fails a vault whose purge protection is absent, leaving actual out of the evidence", () => {
    const verdict = judge(vault("kv-contoso-nopurge"));
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toBe(
      "Microsoft.KeyVault/vaults kv-contoso-nopurge: purge protection (properties.enablePurgeProtection) is absent; expected soft delete and purge protection both explicitly true",
    );
    expect(verdict.evidence[1]).toEqual({
      path: "properties.enablePurgeProtection",
      expected: true,
    });
  });

  it("fails an older vault without soft delete at all", () => {
    const verdict = judge(vault("kv-contoso-ipacl"));
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("soft delete (properties.enableSoftDelete) is absent");
    expect(verdict.message).toContain(
      "purge protection (properties.enablePurgeProtection) is absent",
    );
  });

  it("fails null flags and keeps null as the actual value", () => {
    const verdict = judge(
      withProperties(vault("Kv-Contoso-Cmk"), {
        enableSoftDelete: null,
        enablePurgeProtection: null,
      }),
    );
    expect(verdict.status).toBe("fail");
    expect(verdict.evidence).toEqual([
      { path: "properties.enableSoftDelete", actual: null, expected: true },
      { path: "properties.enablePurgeProtection", actual: null, expected: true },
    ]);
  });

  it("fails empty flags as absent, not as values that are not booleans", () => {
    const verdict = judge(
      withProperties(vault("Kv-Contoso-Cmk"), { enableSoftDelete: "", enablePurgeProtection: "" }),
    );
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toBe(
      'Microsoft.KeyVault/vaults Kv-Contoso-Cmk: soft delete (properties.enableSoftDelete) is "" and purge protection (properties.enablePurgeProtection) is ""; expected soft delete and purge protection both explicitly true',
    );
    expect(verdict.evidence).toEqual([
      { path: "properties.enableSoftDelete", actual: "", expected: true },
      { path: "properties.enablePurgeProtection", actual: "", expected: true },
    ]);
  });

  it("fails a managed HSM whose purge protection is empty", () => {
    const hsm = {
      id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-keys/providers/Microsoft.KeyVault/managedHSMs/hsm-contoso",
      name: "hsm-contoso",
      type: "Microsoft.KeyVault/managedHSMs",
      location: "westeurope",
      properties: { enableSoftDelete: true, enablePurgeProtection: "" },
    };
    const verdict = judge(hsm);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain('purge protection (properties.enablePurgeProtection) is ""');
  });

  it("fails explicit false purge protection", () => {
    const verdict = judge(
      withProperties(vault("Kv-Contoso-Cmk"), { enablePurgeProtection: false }),
    );
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain(
      "purge protection (properties.enablePurgeProtection) is false",
    );
  });

  it("reports a flag that is not a boolean as an error naming the value", () => {
    const verdict = judge(
      withProperties(vault("Kv-Contoso-Cmk"), { enablePurgeProtection: "true" }),
    );
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      'properties.enablePurgeProtection = "true", which is not a boolean',
    );
  });

  it("reports a document without properties as an error, not a fail", () => {
    const { properties: _dropped, ...bare } = vault("Kv-Contoso-Cmk");
    const verdict = judge(bare);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("has no properties in the collected document");
  });

  it("judges a managed HSM the same way", () => {
    const hsm = {
      id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-keys/providers/Microsoft.KeyVault/managedHSMs/hsm-contoso",
      name: "hsm-contoso",
      type: "Microsoft.KeyVault/managedHSMs",
      location: "westeurope",
      properties: { enableSoftDelete: true, enablePurgeProtection: true },
    };
    expect(judge(hsm).status).toBe("pass");
    expect(vaultRecoverable.resourceTypes).toContain("Microsoft.KeyVault/managedHSMs");
  });

  it("covers Resource Graph rows whose type is lower-cased", () => {
    const row = { ...vault("Kv-Contoso-Cmk"), type: "microsoft.keyvault/vaults" };
    expect(vaultRecoverable.resourceTypes).toContain(fromArmDocument(row).type);
  });
});
