import { describe, expect, it } from "vitest";
import {
  completeAccount,
  contextWith,
  partialAccount,
  TEST_NOW,
} from "../../../test/support/evaluation.js";
import {
  armDocumentsOf,
  awsFixture,
  azureFixture,
  selectRowsOf,
} from "../../../test/support/fixtures.js";
import {
  CUSTOMER_KEY_ID,
  customerKmsKey,
  fixtureKmsKeys,
  fixtureVault,
  fixtureVaults,
  kmsAlias,
  vaultKey,
} from "../../../test/support/keys.js";
import { fromArmDocument } from "../../canonical/from-arm-document.js";
import { fromConfigItem } from "../../canonical/from-config-item.js";
import type { AccountCollection, CanonicalResource } from "../../model.js";
import { cmkUsable } from "./cmk-usable.js";

const SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
const ACCOUNT = "111122223333";
const STORAGE_KEY = "keyvaultkey-rg-contoso-cmk-Fail";
const NOW_SECONDS = Math.floor(TEST_NOW.getTime() / 1000);

function armDocument(fileName: string, name?: string): Record<string, unknown> {
  const documents = armDocumentsOf(azureFixture(fileName));
  const document = name === undefined ? documents[0] : documents.find((d) => d.name === name);
  if (document === undefined) throw new Error(`no document in ${fileName}`);
  return document;
}

const cmkStorage = armDocument(
  "Microsoft.Storage_storageAccounts.list.arm.real.json",
  "contosocmkstorage",
);
const cmkVault = fixtureVault("Kv-Contoso-Cmk");
const buckets = selectRowsOf(
  awsFixture("config.SelectResourceConfig.s3-bucket-sse-kms-pab.http.composed.json"),
);

function bucket(name: string): Record<string, unknown> {
  const found = buckets.find((b) => b.resourceId === name);
  if (found === undefined) throw new Error(`no bucket ${name}`);
  return found;
}

/** The CMK storage account with its key vault properties replaced. */
function storageWithKey(properties: Record<string, unknown>): Record<string, unknown> {
  const current = cmkStorage.properties as { encryption: Record<string, unknown> };
  return {
    ...cmkStorage,
    properties: {
      ...current,
      encryption: { ...current.encryption, keyvaultproperties: properties },
    },
  };
}

function bucketWithKey(keyId: string): Record<string, unknown> {
  const document = bucket("contoso-cmk-bucket");
  return {
    ...document,
    supplementaryConfiguration: {
      ...(document.supplementaryConfiguration as object),
      ServerSideEncryptionConfiguration: {
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyID: keyId },
          },
        ],
      },
    },
  };
}

function judgeAzure(
  document: Record<string, unknown>,
  resources: CanonicalResource[],
  accounts: AccountCollection[] = [completeAccount("azure", SUBSCRIPTION)],
) {
  return cmkUsable.evaluate(fromArmDocument(document), contextWith({ resources, accounts }));
}

function judgeAws(
  item: Record<string, unknown>,
  resources: CanonicalResource[],
  accounts: AccountCollection[] = [completeAccount("aws", ACCOUNT)],
) {
  return cmkUsable.evaluate(fromConfigItem(item), contextWith({ resources, accounts }));
}

describe("keys.cmk-usable on Azure Key Vault keys", () => {
  it("passes an enabled key without expiry in a vault with purge protection", () => {
    const key = vaultKey(cmkVault, STORAGE_KEY, { enabled: true });
    const verdict = judgeAzure(cmkStorage, [...fixtureVaults(), key]);
    expect(verdict.status).toBe("pass");
    expect(verdict.message).toBe(
      `Microsoft.Storage/storageAccounts contosocmkstorage uses working customer-managed keys: key ${STORAGE_KEY} in vault Kv-Contoso-Cmk is enabled, has no past expiry, and vault Kv-Contoso-Cmk has purge protection`,
    );
    expect(verdict.evidence).toEqual([
      {
        path: "properties.encryption.keySource",
        actual: "Microsoft.Keyvault",
        expected: "Microsoft.Keyvault",
      },
      {
        path: "properties.encryption.keyvaultproperties.keyvaulturi",
        actual: "https://kv-contoso-cmk.vault.azure.net/",
        expected: "a key that exists and works",
      },
      { path: `${key.id}#properties.attributes.enabled`, actual: true, expected: true },
      {
        path: `${key.id}#properties.attributes.exp`,
        expected: "absent, or after 2026-12-03T10:00:00.000Z",
      },
      { path: `${cmkVault.id}#properties.enablePurgeProtection`, actual: true, expected: true },
    ]);
  });

  it("passes a key whose expiry lies in the future", () => {
    const key = vaultKey(cmkVault, STORAGE_KEY, { enabled: true, exp: NOW_SECONDS + 86_400 });
    expect(judgeAzure(cmkStorage, [...fixtureVaults(), key]).status).toBe("pass");
  });

  it("resolves the vault and the key without regard to case", () => {
    const shouting = storageWithKey({
      keyvaulturi: "HTTPS://KV-CONTOSO-CMK.VAULT.AZURE.NET/",
      keyname: STORAGE_KEY.toUpperCase(),
    });
    const key = vaultKey(cmkVault, STORAGE_KEY, { enabled: true });
    expect(judgeAzure(shouting, [...fixtureVaults(), key]).status).toBe("pass");
  });

  it("fails a disabled key", () => {
    const key = vaultKey(cmkVault, STORAGE_KEY, { enabled: false });
    const verdict = judgeAzure(cmkStorage, [...fixtureVaults(), key]);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain(
      `key ${STORAGE_KEY} in vault Kv-Contoso-Cmk is disabled (attributes.enabled false)`,
    );
  });

  it("fails a key whose expiry has passed, naming the date", () => {
    const key = vaultKey(cmkVault, STORAGE_KEY, { enabled: true, exp: 1_764_547_200 });
    const verdict = judgeAzure(cmkStorage, [...fixtureVaults(), key]);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("expired on 2025-12-01T00:00:00.000Z");
  });

  it("fails a key in a vault without purge protection", () => {
    const vault = fixtureVault("kv-contoso-nopurge");
    const document = storageWithKey({
      keyvaulturi: "https://kv-contoso-nopurge.vault.azure.net/",
      keyname: "cmk-data",
    });
    const verdict = judgeAzure(document, [
      ...fixtureVaults(),
      vaultKey(vault, "cmk-data", { enabled: true }),
    ]);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("vault kv-contoso-nopurge has enablePurgeProtection absent");
    expect(verdict.evidence).toContainEqual({
      path: `${vault.id}#properties.enablePurgeProtection`,
      expected: true,
    });
  });

  it("reads an empty expiry as no expiry and an empty purge protection as absent", () => {
    const emptyExpiry = vaultKey(cmkVault, STORAGE_KEY, { enabled: true, exp: "" });
    const verdict = judgeAzure(cmkStorage, [...fixtureVaults(), emptyExpiry]);
    expect(verdict.status).toBe("pass");
    expect(verdict.evidence).toContainEqual({
      path: `${emptyExpiry.id}#properties.attributes.exp`,
      actual: "",
      expected: "absent, or after 2026-12-03T10:00:00.000Z",
    });

    const emptyPurge = {
      ...cmkVault,
      raw: {
        ...cmkVault.raw,
        properties: { ...(cmkVault.raw.properties as object), enablePurgeProtection: "" },
      },
    };
    const key = vaultKey(emptyPurge, STORAGE_KEY, { enabled: true });
    const failed = judgeAzure(cmkStorage, [emptyPurge, key]);
    expect(failed.status).toBe("fail");
    expect(failed.message).toContain('vault Kv-Contoso-Cmk has enablePurgeProtection ""');
  });

  it("fails a key missing from a vault whose subscription was collected completely", () => {
    const verdict = judgeAzure(cmkStorage, fixtureVaults());
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain(
      `key ${STORAGE_KEY} in vault Kv-Contoso-Cmk does not exist: the keys of vault Kv-Contoso-Cmk were listed completely`,
    );
  });

  it("reports a missing key as an error when the vault's subscription was collected partly", () => {
    const verdict = judgeAzure(cmkStorage, fixtureVaults(), [
      partialAccount("azure", SUBSCRIPTION),
    ]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(`subscription ${SUBSCRIPTION} was collected only partly`);
  });

  it("reports a vault in a subscription that was not scanned as an error naming its host", () => {
    const elsewhere = storageWithKey({
      keyvaulturi: "https://kv-central-keys.vault.azure.net/",
      keyname: "cmk-data",
    });
    const verdict = judgeAzure(elsewhere, fixtureVaults());
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      "the vault or managed HSM kv-central-keys.vault.azure.net that holds key cmk-data is not in the inventory",
    );
  });

  it("reports a key whose enabled flag is absent, or whose expiry is not a number, as an error", () => {
    const noFlag = vaultKey(cmkVault, STORAGE_KEY, {});
    expect(judgeAzure(cmkStorage, [...fixtureVaults(), noFlag]).status).toBe("error");
    const textExpiry = vaultKey(cmkVault, STORAGE_KEY, { enabled: true, exp: "2027-01-01" });
    const verdict = judgeAzure(cmkStorage, [...fixtureVaults(), textExpiry]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain('has attributes.exp "2027-01-01", not epoch seconds');
  });

  it("judges a versioned PostgreSQL key URI by the key's current attributes and says so", () => {
    const server = armDocument(
      "Microsoft.DBforPostgreSQL_flexibleServers.get-cmk-vnet.arm.spec-2024-08-01.json",
    );
    const key = vaultKey(cmkVault, "cmk-pg", { enabled: true });
    const verdict = judgeAzure(server, [...fixtureVaults(), key]);
    expect(verdict.status).toBe("pass");
    expect(verdict.message).toContain(
      "(version 0123456789abcdef0123456789abcdef judged by the key's current attributes)",
    );
  });

  it("fails a server when one of its two keys does not work", () => {
    const server = armDocument(
      "Microsoft.DBforPostgreSQL_flexibleServers.get-cmk-vnet.arm.spec-2024-08-01.json",
    );
    const properties = server.properties as { dataEncryption: Record<string, unknown> };
    const withGeoKey = {
      ...server,
      properties: {
        ...properties,
        dataEncryption: {
          ...properties.dataEncryption,
          geoBackupKeyURI: "https://kv-contoso-cmk.vault.azure.net/keys/cmk-pg-geo",
        },
      },
    };
    const resources = [
      ...fixtureVaults(),
      vaultKey(cmkVault, "cmk-pg", { enabled: true }),
      vaultKey(cmkVault, "cmk-pg-geo", { enabled: false }),
    ];
    const verdict = judgeAzure(withGeoKey, resources);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("key cmk-pg-geo in vault Kv-Contoso-Cmk is disabled");
  });

  it("checks the AI services key named in camelCase keyVaultProperties", () => {
    const account = armDocument(
      "Microsoft.CognitiveServices_accounts.OpenAI-locked-down.arm.composed.json",
    );
    const verdict = judgeAzure(account, [
      ...fixtureVaults(),
      vaultKey(cmkVault, "cmk-openai", { enabled: true, exp: NOW_SECONDS - 1 }),
    ]);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("key cmk-openai in vault Kv-Contoso-Cmk expired on");
  });

  it("resolves managed HSM keys by hsmUri, and fails an HSM key missing from a complete subscription", () => {
    const hsm = fromArmDocument({
      id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-keys/providers/Microsoft.KeyVault/managedHSMs/hsm-contoso`,
      name: "hsm-contoso",
      type: "Microsoft.KeyVault/managedHSMs",
      location: "westeurope",
      properties: {
        hsmUri: "https://hsm-contoso.managedhsm.azure.net/",
        enableSoftDelete: true,
        enablePurgeProtection: true,
      },
    });
    const document = storageWithKey({
      keyvaulturi: "https://hsm-contoso.managedhsm.azure.net/",
      keyname: "cmk-hsm",
    });
    const missing = judgeAzure(document, [hsm]);
    expect(missing.status).toBe("fail");
    expect(missing.message).toContain(
      "key cmk-hsm in managed HSM hsm-contoso does not exist: the keys of managed HSM hsm-contoso were listed completely",
    );
    const key = fromArmDocument(
      {
        id: `${hsm.id}/keys/cmk-hsm`,
        name: "cmk-hsm",
        type: "Microsoft.KeyVault/managedHSMs/keys",
        properties: { attributes: { enabled: true } },
      },
      hsm,
    );
    expect(judgeAzure(document, [hsm, key]).status).toBe("pass");
  });

  it("is not applicable to accounts encrypted with Microsoft-managed keys", () => {
    const storage = armDocument(
      "Microsoft.Storage_storageAccounts.list.arm.real.json",
      "contosodevstorage",
    );
    const verdict = judgeAzure(storage, fixtureVaults());
    expect(verdict.status).toBe("not-applicable");
    expect(verdict.message).toContain(
      'uses no customer-managed key (properties.encryption.keySource is "Microsoft.Storage", so no customer-managed key is used)',
    );
    const openAi = armDocument("Microsoft.CognitiveServices_accounts.OpenAI.arm.real.json");
    expect(judgeAzure(openAi, fixtureVaults()).status).toBe("not-applicable");
  });

  it("checks the key a Cosmos DB account names in keyVaultKeyUri, and nothing when it names none", () => {
    const cosmos = {
      id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-data/providers/Microsoft.DocumentDB/databaseAccounts/cosmos-contoso`,
      name: "cosmos-contoso",
      type: "Microsoft.DocumentDB/databaseAccounts",
      location: "westeurope",
      kind: "GlobalDocumentDB",
      properties: {
        databaseAccountOfferType: "Standard",
        keyVaultKeyUri: "https://kv-contoso-cmk.vault.azure.net/keys/cmk-cosmos",
        locations: [{ locationName: "West Europe", failoverPriority: 0 }],
      },
    };
    const key = vaultKey(cmkVault, "cmk-cosmos", { enabled: true });
    expect(judgeAzure(cosmos, [...fixtureVaults(), key]).status).toBe("pass");
    const { keyVaultKeyUri: _dropped, ...properties } = cosmos.properties;
    expect(judgeAzure({ ...cosmos, properties }, fixtureVaults()).status).toBe("not-applicable");
  });

  it("is not applicable to a search service, which names no key of its own", () => {
    const search = armDocument(
      "Microsoft.Search_searchServices.cmk-enforced.arm.spec-2025-05-01.json",
    );
    expect(judgeAzure(search, fixtureVaults()).status).toBe("not-applicable");
  });

  it("reports a customer key source that names no key as an error", () => {
    const current = cmkStorage.properties as { encryption: Record<string, unknown> };
    const unnamed = {
      ...cmkStorage,
      properties: { ...current, encryption: { keySource: "Microsoft.Keyvault" } },
    };
    const verdict = judgeAzure(unnamed, fixtureVaults());
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("yet the document names no key");
  });
});

describe("keys.cmk-usable on AWS KMS keys", () => {
  const pendingDeletion = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0b1c2d3e-0000-4000-8000-000000000002`;
  const disabled = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0b1c2d3e-0000-4000-8000-000000000003`;

  it("passes a bucket whose customer key is Enabled", () => {
    const key = customerKmsKey(ACCOUNT, "us-east-1");
    const verdict = judgeAws(bucket("contoso-cmk-bucket"), [key]);
    expect(verdict.status).toBe("pass");
    expect(verdict.evidence).toContainEqual({
      path: `${key.id}#configuration.keyState`,
      actual: "Enabled",
      expected: "Enabled",
    });
  });

  it("fails keys pending deletion or disabled, naming the state", () => {
    const pending = judgeAws(bucketWithKey(pendingDeletion), fixtureKmsKeys());
    expect(pending.status).toBe("fail");
    expect(pending.message).toBe(
      `AWS::S3::Bucket contoso-cmk-bucket depends on a customer-managed key that does not work: KMS key ${pendingDeletion} has keyState "PendingDeletion"; expected an existing KMS key with keyState Enabled`,
    );
    expect(judgeAws(bucketWithKey(disabled), fixtureKmsKeys()).status).toBe("fail");
  });

  it("follows a customer alias to the key it targets", () => {
    const verdict = judgeAws(bucketWithKey("alias/contoso-retired"), [
      ...fixtureKmsKeys(),
      kmsAlias(
        ACCOUNT,
        "us-east-1",
        "alias/contoso-retired",
        "0b1c2d3e-0000-4000-8000-000000000002",
      ),
    ]);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("(through alias/contoso-retired) has keyState");
  });

  it("reports a key that resolves to nothing as an error even in a completely collected account and region", () => {
    const deleted = fromConfigItem({
      ...selectRowsOf(
        awsFixture("config.SelectResourceConfig.kms-key-customer-managed.http.real.json"),
      )[0],
      accountId: ACCOUNT,
      awsRegion: "us-east-1",
      resourceType: "AWS::KMS::Key",
      arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${CUSTOMER_KEY_ID}`,
      configurationItemStatus: "ResourceDeleted",
    });
    const verdict = judgeAws(bucket("contoso-cmk-bucket"), [deleted]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      `resolves to nothing (no KMS key ${CUSTOMER_KEY_ID} in account ${ACCOUNT} region us-east-1; account ${ACCOUNT} region us-east-1 was collected completely)`,
    );
  });

  it("reports an alias that resolves to nothing as an error in a completely collected account", () => {
    const verdict = judgeAws(bucketWithKey("alias/contoso-gone"), fixtureKmsKeys());
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      `KMS key "alias/contoso-gone" resolves to nothing (no KMS alias alias/contoso-gone in account ${ACCOUNT} region us-east-1; account ${ACCOUNT} region us-east-1 was collected completely)`,
    );
  });

  it("never resolves through a key item Config did not record, and names it", () => {
    const notRecorded = fromConfigItem({
      accountId: ACCOUNT,
      awsRegion: "us-east-1",
      resourceType: "AWS::KMS::Key",
      resourceId: CUSTOMER_KEY_ID,
      arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${CUSTOMER_KEY_ID}`,
      configurationItemStatus: "ResourceNotRecorded",
    });
    const verdict = judgeAws(bucket("contoso-cmk-bucket"), [notRecorded]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      `cannot be resolved: KMS key ${notRecorded.id} was not recorded by AWS Config (ResourceNotRecorded)`,
    );
    expect(verdict.evidence).toContainEqual({
      path: `${notRecorded.id}#configurationItemStatus`,
      actual: "ResourceNotRecorded",
      expected: "OK or ResourceDiscovered",
    });
  });

  it("never resolves through a key item without configuration, and names it", () => {
    const key = customerKmsKey(ACCOUNT, "us-east-1");
    const { configuration: _dropped, ...bare } = key.raw;
    const verdict = judgeAws(bucket("contoso-cmk-bucket"), [{ ...key, raw: bare }]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      `KMS key ${key.id} has no configuration in the collected document`,
    );
  });

  it("never resolves through an alias item Config did not record, and names it", () => {
    const alias = kmsAlias(ACCOUNT, "us-east-1", "alias/contoso-app", CUSTOMER_KEY_ID);
    const notRecorded = fromConfigItem({
      accountId: ACCOUNT,
      awsRegion: "us-east-1",
      resourceType: "AWS::KMS::Alias",
      resourceId: "alias/contoso-app",
      arn: alias.id,
      configurationItemStatus: "ResourceNotRecorded",
    });
    const verdict = judgeAws(bucketWithKey("alias/contoso-app"), [
      customerKmsKey(ACCOUNT, "us-east-1"),
      notRecorded,
    ]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      `KMS alias ${alias.id} was not recorded by AWS Config (ResourceNotRecorded)`,
    );
  });

  it("reports a missing key as an error when its region was not collected completely", () => {
    const verdict = judgeAws(
      bucket("contoso-cmk-bucket"),
      [],
      [partialAccount("aws", ACCOUNT, ["eu-west-1"])],
    );
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("was collected only partly");
  });

  it("reports a key in an account that was not scanned as an error", () => {
    const verdict = judgeAws(
      bucketWithKey(`arn:aws:kms:us-east-1:999988887777:key/${CUSTOMER_KEY_ID}`),
      [],
    );
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      "account 999988887777 region us-east-1 was not collected (not scanned)",
    );
  });

  it("reports a key state outside the documented set as an error naming it", () => {
    const key = customerKmsKey(ACCOUNT, "us-east-1");
    const unavailable = {
      ...key,
      raw: {
        ...key.raw,
        configuration: { ...(key.raw.configuration as object), keyState: "Unavailable" },
      },
    };
    const verdict = judgeAws(bucket("contoso-cmk-bucket"), [unavailable]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      'has keyState "Unavailable", a value this control does not know',
    );
  });

  it("reports a key whose keyManager is absent or unknown as an error, not a usable key", () => {
    const key = customerKmsKey(ACCOUNT, "us-east-1");
    const withManager = (keyManager: unknown) => ({
      ...key,
      raw: { ...key.raw, configuration: { ...(key.raw.configuration as object), keyManager } },
    });
    const partner = judgeAws(bucket("contoso-cmk-bucket"), [withManager("PARTNER")]);
    expect(partner.status).toBe("error");
    expect(partner.message).toContain('has keyManager "PARTNER", a value this control does not');
    const absent = judgeAws(bucket("contoso-cmk-bucket"), [withManager(null)]);
    expect(absent.status).toBe("error");
    expect(absent.evidence.at(-1)).toMatchObject({ expected: "CUSTOMER" });
  });

  it("is not applicable to AWS-managed keys, whether named by alias or found by keyManager", () => {
    const byAlias = judgeAws(bucketWithKey("alias/aws/s3"), []);
    expect(byAlias.status).toBe("not-applicable");
    expect(byAlias.message).toContain("alias/aws/s3 is an AWS-managed key");
    const awsManaged = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0b1c2d3e-0000-4000-8000-000000000001`;
    expect(judgeAws(bucketWithKey(awsManaged), fixtureKmsKeys()).status).toBe("not-applicable");
    expect(judgeAws(bucket("contoso-aws-managed-kms-bucket"), []).status).toBe("not-applicable");
  });

  it("is not applicable to buckets with S3-managed keys and unencrypted databases", () => {
    expect(judgeAws(bucket("contoso-sse-s3-bucket"), []).status).toBe("not-applicable");
    const [instance] = selectRowsOf(
      awsFixture("config.SelectResourceConfig.rds-dbinstance.http.derived.json"),
    );
    const verdict = judgeAws(instance ?? {}, []);
    expect(verdict.status).toBe("not-applicable");
    expect(verdict.message).toContain("configuration.storageEncrypted is false");
  });

  it("is not applicable to a database whose storageEncrypted is empty, as unencrypted", () => {
    const [, encrypted] = selectRowsOf(
      awsFixture("config.SelectResourceConfig.rds-dbinstance.http.derived.json"),
    );
    const row = encrypted ?? {};
    const verdict = judgeAws(
      { ...row, configuration: { ...(row.configuration as object), storageEncrypted: "" } },
      [customerKmsKey(ACCOUNT, "us-east-1")],
    );
    expect(verdict.status).toBe("not-applicable");
    expect(verdict.message).toContain('configuration.storageEncrypted is "": storage is not');
  });

  it("reports a bucket without supplementaryConfiguration as an error", () => {
    const { supplementaryConfiguration: _dropped, ...bare } = bucket("contoso-cmk-bucket");
    const verdict = judgeAws(bare, []);
    expect(verdict.status).toBe("error");
  });
});
