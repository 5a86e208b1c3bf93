import { describe, expect, it } from "vitest";
import { contextWith } from "../../../test/support/evaluation.js";
import { armDocumentsOf, azureFixture, readTestData } from "../../../test/support/fixtures.js";
import { fromArmDocument } from "../../canonical/from-arm-document.js";
import { managedIdentity } from "./managed-identity.js";

function armDocument(fileName: string, name?: string): Record<string, unknown> {
  const documents = armDocumentsOf(azureFixture(fileName));
  const document = name === undefined ? documents[0] : documents.find((d) => d.name === name);
  if (document === undefined) throw new Error(`no document in ${fileName}`);
  return document;
}

const aiServices = armDocument("Microsoft.CognitiveServices_accounts.AIServices.arm.real.json");
const openAi = armDocument("Microsoft.CognitiveServices_accounts.OpenAI.arm.real.json");
const search = armDocument("Microsoft.Search_searchServices.cmk-enforced.arm.spec-2025-05-01.json");
const cmkStorage = armDocument(
  "Microsoft.Storage_storageAccounts.list.arm.real.json",
  "contosocmkstorage",
);
const devStorage = armDocument(
  "Microsoft.Storage_storageAccounts.list.arm.real.json",
  "contosodevstorage",
);
const cmkServer = armDocument(
  "Microsoft.DBforPostgreSQL_flexibleServers.get-cmk-vnet.arm.spec-2024-08-01.json",
);

function withIdentity(document: Record<string, unknown>, identity: unknown) {
  return { ...document, identity };
}

function judge(document: Record<string, unknown>) {
  return managedIdentity.evaluate(fromArmDocument(document), contextWith());
}

describe("identity.managed-identity on AI services and search services", () => {
  it("passes the real AI services account with a system-assigned identity", () => {
    const verdict = judge(aiServices);
    expect(verdict.status).toBe("pass");
    expect(verdict.evidence).toEqual([
      {
        path: "identity.type",
        actual: "SystemAssigned",
        expected: "SystemAssigned or UserAssigned",
      },
    ]);
  });

  it("fails the real OpenAI account, which has no identity key at all", () => {
    const verdict = judge(openAi);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toBe(
      "Microsoft.CognitiveServices/accounts contoso-openai has identity.type absent: it carries no managed identity; expected SystemAssigned or UserAssigned",
    );
    expect(verdict.evidence).toEqual([
      { path: "identity.type", expected: "SystemAssigned or UserAssigned" },
    ]);
  });

  it("fails an identity that is null, None in any case, or has an empty type", () => {
    expect(judge(withIdentity(aiServices, null)).status).toBe("fail");
    for (const type of ["None", "NONE", ""]) {
      expect(judge(withIdentity(aiServices, { type })).status, type).toBe("fail");
    }
  });

  it("fails an empty identity as absent, not as an identity of the wrong shape", () => {
    const verdict = judge(withIdentity(aiServices, ""));
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("has identity.type absent: it carries no managed identity");
    const service = judge(withIdentity(search, ""));
    expect(service.status).toBe("fail");
  });

  it("passes both kinds together in the spellings services use, in any case", () => {
    for (const type of [
      "SystemAssigned, UserAssigned",
      "SystemAssigned,UserAssigned",
      "userassigned",
    ]) {
      expect(judge(withIdentity(aiServices, { type })).status, type).toBe("pass");
    }
  });

  it("reports an identity type outside the documented set, or of the wrong shape, as an error", () => {
    const unknown = judge(withIdentity(aiServices, { type: "ManagedServiceIdentity" }));
    expect(unknown.status).toBe("error");
    expect(unknown.message).toContain(
      '"ManagedServiceIdentity", a value this control does not know',
    );
    expect(judge(withIdentity(aiServices, { type: 3 })).status).toBe("error");
    expect(judge(withIdentity(aiServices, "SystemAssigned")).status).toBe("error");
  });

  it("fails the spec search service, which carries no identity", () => {
    expect(judge(search).status).toBe("fail");
    expect(judge(withIdentity(search, { type: "SystemAssigned" })).status).toBe("pass");
  });

  it("reports a document without properties as an error", () => {
    const { properties: _dropped, ...bare } = aiServices;
    expect(judge(bare).status).toBe("error");
  });
});

describe("identity.managed-identity on storage accounts and PostgreSQL servers", () => {
  it("passes the real CMK storage account with its system-assigned identity", () => {
    const verdict = judge(cmkStorage);
    expect(verdict.status).toBe("pass");
    expect(verdict.evidence).toEqual([
      {
        path: "properties.encryption.keySource",
        actual: "Microsoft.Keyvault",
        expected: "Microsoft.Keyvault",
      },
      {
        path: "identity.type",
        actual: "SystemAssigned",
        expected: "SystemAssigned or UserAssigned",
      },
    ]);
  });

  it("fails a CMK storage account whose identity type is None", () => {
    expect(judge(withIdentity(cmkStorage, { type: "None" })).status).toBe("fail");
  });

  it("is not applicable to storage with Microsoft-managed keys, even with identity None", () => {
    const verdict = judge(devStorage);
    expect(verdict.status).toBe("not-applicable");
    expect(verdict.message).toContain(
      'is not encrypted with a customer-managed key (properties.encryption.keySource "Microsoft.Storage")',
    );
  });

  it("reports an unknown key source as an error, since the condition cannot be told", () => {
    const properties = cmkStorage.properties as { encryption: Record<string, unknown> };
    const odd = {
      ...cmkStorage,
      properties: { ...properties, encryption: { keySource: "Microsoft.Hsm" } },
    };
    expect(judge(odd).status).toBe("error");
  });

  it("passes the CMK server with a user-assigned identity", () => {
    expect(judge(cmkServer).status).toBe("pass");
  });

  it("fails the known-verdict CMK server whose identity is null", () => {
    const server = readTestData("cases/estate/azure/psql-demo02.json") as Record<string, unknown>;
    const verdict = judge(server);
    expect(verdict.status).toBe("fail");
    expect(verdict.evidence).toEqual([
      {
        path: "properties.dataEncryption.type",
        actual: "AzureKeyVault",
        expected: "AzureKeyVault",
      },
      { path: "identity.type", expected: "SystemAssigned or UserAssigned" },
    ]);
  });

  it("is not applicable to servers with service-managed keys or no dataEncryption", () => {
    const systemManaged = armDocument(
      "Microsoft.DBforPostgreSQL_flexibleServers.get-systemmanaged-public.arm.spec-2024-08-01.json",
    );
    expect(judge(systemManaged).status).toBe("not-applicable");
    const older = armDocument(
      "Microsoft.DBforPostgreSQL_flexibleServers.list.arm.real.json",
      "pg-contoso-public",
    );
    expect(judge(older).status).toBe("not-applicable");
  });
});
