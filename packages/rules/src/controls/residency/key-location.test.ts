import { describe, expect, it } from "vitest";
import { completeAccount, contextWith, ownerWith } from "../../../test/support/evaluation.js";
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
  notRecordedItem,
} from "../../../test/support/keys.js";
import { fromArmDocument } from "../../canonical/from-arm-document.js";
import { fromConfigItem } from "../../canonical/from-config-item.js";
import type { CanonicalResource } from "../../model.js";
import type { Owner } from "../../policy/types.js";
import { keyLocation } from "./key-location.js";

const SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
const PLATFORM_SUBSCRIPTION = "00000000-0000-0000-0000-00000000a002";
const ACCOUNT = "111122223333";

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
const awsRows = selectRowsOf(
  awsFixture("config.SelectResourceConfig.sagemaker-bedrock.http.synthetic.json"),
);
const notebook = awsRows.find((r) => r.resourceType === "AWS::SageMaker::NotebookInstance") ?? {};
const [cmkBucket] = selectRowsOf(
  awsFixture("config.SelectResourceConfig.s3-bucket-sse-kms-pab.http.composed.json"),
);

/** A vault of the fixture moved to another location (and optionally another subscription). */
function movedVault(
  name: string,
  location: unknown,
  subscription = SUBSCRIPTION,
): CanonicalResource {
  const vault = fixtureVault(name);
  return fromArmDocument({
    ...vault.raw,
    id: (vault.raw.id as string).replace(SUBSCRIPTION, subscription),
    location,
  });
}

function storageWithKey(vaultUri: string, keyName: string): Record<string, unknown> {
  const current = cmkStorage.properties as { encryption: Record<string, unknown> };
  return {
    ...cmkStorage,
    properties: {
      ...current,
      encryption: {
        ...current.encryption,
        keyvaultproperties: { keyvaulturi: vaultUri, keyname: keyName },
      },
    },
  };
}

function notebookWithKey(keyId: string): Record<string, unknown> {
  return { ...notebook, configuration: { ...(notebook.configuration as object), KmsKeyId: keyId } };
}

function judgeAzure(
  document: Record<string, unknown>,
  resources: CanonicalResource[],
  owner?: Owner,
) {
  return keyLocation.evaluate(
    fromArmDocument(document),
    contextWith({
      resources,
      accounts: [completeAccount("azure", SUBSCRIPTION)],
      ...(owner === undefined ? {} : { owner }),
    }),
  );
}

function judgeAws(item: Record<string, unknown>, resources: CanonicalResource[]) {
  return keyLocation.evaluate(
    fromConfigItem(item),
    contextWith({ resources, accounts: [completeAccount("aws", ACCOUNT)] }),
  );
}

describe("residency.key-location on Azure keys", () => {
  it("passes a key whose vault's display-name location is an allowed region", () => {
    const vault = movedVault("Kv-Contoso-Cmk", "West Europe");
    const verdict = judgeAzure(cmkStorage, [vault]);
    expect(verdict.status).toBe("pass");
    expect(verdict.message).toBe(
      "Microsoft.Storage/storageAccounts contosocmkstorage is protected by keys in allowed regions: key keyvaultkey-rg-contoso-cmk-Fail in vault Kv-Contoso-Cmk is in westeurope, an allowed region",
    );
    expect(verdict.evidence).toContainEqual({
      path: `${vault.id}#location`,
      actual: "West Europe",
      expected: "one of: westeurope, swedencentral, eu-west-1",
    });
  });

  it("follows the key into a vault of another subscription, such as a central key account", () => {
    const central = movedVault("Kv-Contoso-Cmk", "swedencentral", PLATFORM_SUBSCRIPTION);
    expect(judgeAzure(cmkStorage, [central]).status).toBe("pass");
  });

  it("fails a key whose vault is outside the allowed regions, naming the vault and its region", () => {
    const verdict = judgeAzure(cmkStorage, fixtureVaults());
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toBe(
      "Microsoft.Storage/storageAccounts contosocmkstorage is protected by a key outside the allowed regions: key keyvaultkey-rg-contoso-cmk-Fail in vault Kv-Contoso-Cmk is in eastus, not an allowed region of acme; expected a key in one of westeurope, swedencentral, eu-west-1",
    );
  });

  it("does not admit keys in a fallback region, even under contract", () => {
    const owner = ownerWith({
      regions: {
        allowed: ["westeurope"],
        fallback: [{ region: "eastus", contract: "DPA-2026-014", until: "2027-06-30" }],
      },
    });
    const verdict = judgeAzure(cmkStorage, fixtureVaults(), owner);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain(
      "is in eastus (a fallback region, which does not admit keys)",
    );
  });

  it("reports a vault in a subscription that was not scanned as an error", () => {
    const verdict = judgeAzure(
      storageWithKey("https://kv-central-keys.vault.azure.net/", "cmk-data"),
      fixtureVaults(),
    );
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      "the vault or managed HSM kv-central-keys.vault.azure.net that holds key cmk-data is not in the inventory",
    );
  });

  it("reports a vault whose location is not in the region catalogue as an error", () => {
    const verdict = judgeAzure(cmkStorage, [movedVault("Kv-Contoso-Cmk", "eastus2(stage)")]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      'has location "eastus2(stage)", which is not in the region catalogue',
    );
  });

  it("judges each key of a server and fails when the geo-backup key lives elsewhere", () => {
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
          geoBackupKeyURI: "https://kv-contoso-nopurge.vault.azure.net/keys/cmk-geo",
        },
      },
    };
    const resources = [
      movedVault("Kv-Contoso-Cmk", "westeurope"),
      fixtureVault("kv-contoso-nopurge"),
    ];
    const verdict = judgeAzure(withGeoKey, resources);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain(
      "key cmk-pg in vault Kv-Contoso-Cmk is in westeurope, an allowed region",
    );
    expect(verdict.message).toContain("key cmk-geo in vault kv-contoso-nopurge is in eastus");
  });

  it("is not applicable to Microsoft-managed keys or a search service without a key", () => {
    const plain = armDocument(
      "Microsoft.Storage_storageAccounts.list.arm.real.json",
      "contosodevstorage",
    );
    expect(judgeAzure(plain, fixtureVaults()).status).toBe("not-applicable");
    const search = armDocument(
      "Microsoft.Search_searchServices.cmk-enforced.arm.spec-2025-05-01.json",
    );
    expect(judgeAzure(search, fixtureVaults()).status).toBe("not-applicable");
  });

  it("reports an unknown key source as an error naming it", () => {
    const current = cmkStorage.properties as { encryption: Record<string, unknown> };
    const odd = {
      ...cmkStorage,
      properties: { ...current, encryption: { ...current.encryption, keySource: "Microsoft.Hsm" } },
    };
    const verdict = judgeAzure(odd, fixtureVaults());
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain('"Microsoft.Hsm", a value this control does not know');
  });
});

describe("residency.key-location on AWS KMS keys", () => {
  it("passes a notebook whose key lives in an allowed region, naming the key and its region", () => {
    const key = customerKmsKey(ACCOUNT, "eu-west-1");
    const verdict = judgeAws(notebookWithKey(key.id), [key]);
    expect(verdict.status).toBe("pass");
    expect(verdict.message).toContain(`KMS key ${key.id} is in eu-west-1, an allowed region`);
    expect(verdict.evidence).toContainEqual({
      path: `${key.id}#awsRegion`,
      actual: "eu-west-1",
      expected: "one of: westeurope, swedencentral, eu-west-1",
    });
  });

  it("fails a bucket whose customer key lives in us-east-1", () => {
    const verdict = judgeAws(cmkBucket ?? {}, [customerKmsKey(ACCOUNT, "us-east-1")]);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain(
      `KMS key arn:aws:kms:us-east-1:${ACCOUNT}:key/${CUSTOMER_KEY_ID} is in us-east-1, not an allowed region of acme`,
    );
  });

  it("locates a key named through a customer alias", () => {
    const key = customerKmsKey(ACCOUNT, "us-east-1");
    const verdict = judgeAws(notebookWithKey("alias/contoso-notebooks"), [
      key,
      kmsAlias(ACCOUNT, "us-east-1", "alias/contoso-notebooks", CUSTOMER_KEY_ID),
    ]);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("(through alias/contoso-notebooks) is in us-east-1");
  });

  it("is not applicable to AWS-managed keys", () => {
    expect(judgeAws(notebookWithKey("alias/aws/sagemaker"), []).status).toBe("not-applicable");
    const awsManaged = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0b1c2d3e-0000-4000-8000-000000000001`;
    expect(judgeAws(notebookWithKey(awsManaged), fixtureKmsKeys()).status).toBe("not-applicable");
  });

  it("is not applicable to a notebook that names no key", () => {
    const { KmsKeyId: _dropped, ...configuration } = notebook.configuration as Record<
      string,
      unknown
    >;
    const verdict = judgeAws({ ...notebook, configuration }, []);
    expect(verdict.status).toBe("not-applicable");
    expect(verdict.message).toContain("the document names no customer-managed key");
  });

  it("reports a key in an account that was not scanned as an error", () => {
    const verdict = judgeAws(
      notebookWithKey(`arn:aws:kms:eu-west-1:999988887777:key/${CUSTOMER_KEY_ID}`),
      [],
    );
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      "cannot be located (no KMS key 1234abcd-12ab-34cd-56ef-1234567890ab in account 999988887777 region eu-west-1; account 999988887777 region eu-west-1 was not collected (not scanned))",
    );
  });

  it("never locates a key through a key item Config did not record, and names it", () => {
    const key = customerKmsKey(ACCOUNT, "eu-west-1");
    const verdict = judgeAws(notebookWithKey(key.id), [notRecordedItem(key)]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      `cannot be located: KMS key ${key.id} was not recorded by AWS Config (ResourceNotRecorded)`,
    );
  });

  it("never locates a key through an alias item Config did not record, and names it", () => {
    const key = customerKmsKey(ACCOUNT, "us-east-1");
    const alias = kmsAlias(ACCOUNT, "us-east-1", "alias/contoso-notebooks", CUSTOMER_KEY_ID);
    const verdict = judgeAws(notebookWithKey("alias/contoso-notebooks"), [
      key,
      notRecordedItem(alias),
    ]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      `KMS alias ${alias.id} was not recorded by AWS Config (ResourceNotRecorded)`,
    );
  });

  it("reports a key item without a region as an error", () => {
    const key = customerKmsKey(ACCOUNT, "eu-west-1");
    const regionless = { ...key, region: null, location: null };
    const verdict = judgeAws(notebookWithKey(key.id), [regionless]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("has location absent, which is not in the region catalogue");
  });
});
