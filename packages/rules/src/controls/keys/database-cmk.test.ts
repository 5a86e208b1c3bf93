import { describe, expect, it } from "vitest";
import { completeAccount, contextWith } from "../../../test/support/evaluation.js";
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
  notRecordedItem,
} from "../../../test/support/keys.js";
import { fromArmDocument } from "../../canonical/from-arm-document.js";
import { decodeBatchGetItem, fromConfigItem } from "../../canonical/from-config-item.js";
import type { CanonicalResource } from "../../model.js";
import { databaseCmk } from "./database-cmk.js";

const ACCOUNT = "111122223333";
const CUSTOMER_KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${CUSTOMER_KEY_ID}`;

function serverOf(fileName: string, name?: string): Record<string, unknown> {
  const documents = armDocumentsOf(azureFixture(fileName));
  const document = name === undefined ? documents[0] : documents.find((d) => d.name === name);
  if (document === undefined) throw new Error(`no server in ${fileName}`);
  return document;
}

const cmkServer = serverOf(
  "Microsoft.DBforPostgreSQL_flexibleServers.get-cmk-vnet.arm.spec-2024-08-01.json",
);
const systemManaged = serverOf(
  "Microsoft.DBforPostgreSQL_flexibleServers.get-systemmanaged-public.arm.spec-2024-08-01.json",
);
const olderServer = serverOf(
  "Microsoft.DBforPostgreSQL_flexibleServers.list.arm.real.json",
  "pg-contoso-public",
);
const rdsRows = selectRowsOf(
  awsFixture("config.SelectResourceConfig.rds-dbinstance.http.derived.json"),
);

function rdsRow(position: number): Record<string, unknown> {
  const found = rdsRows[position];
  if (found === undefined) throw new Error(`no RDS row ${position}`);
  return found;
}

const plainInstance = rdsRow(0);
const encryptedInstance = rdsRow(1);

/** An Aurora cluster item with the field names Config records for `AWS::RDS::DBCluster`. */
function clusterItem(configuration: Record<string, unknown>): Record<string, unknown> {
  return {
    accountId: ACCOUNT,
    awsRegion: "us-east-1",
    resourceType: "AWS::RDS::DBCluster",
    resourceId: "cluster-ABCDEFGHIJKLMNOPQRSTUVWXY0",
    resourceName: "contoso-aurora",
    arn: `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:contoso-aurora`,
    configurationItemStatus: "OK",
    configuration: {
      dBClusterIdentifier: "contoso-aurora",
      engine: "aurora-postgresql",
      iamdatabaseAuthenticationEnabled: false,
      ...configuration,
    },
    supplementaryConfiguration: {},
  };
}

function withDataEncryption(value: unknown): Record<string, unknown> {
  return {
    ...cmkServer,
    properties: { ...(cmkServer.properties as object), dataEncryption: value },
  };
}

function withConfiguration(
  item: Record<string, unknown>,
  changes: Record<string, unknown>,
): Record<string, unknown> {
  return { ...item, configuration: { ...(item.configuration as object), ...changes } };
}

function judgeAzure(document: Record<string, unknown>) {
  return databaseCmk.evaluate(fromArmDocument(document), contextWith());
}

function judgeAws(item: Record<string, unknown>, resources: CanonicalResource[] = []) {
  return databaseCmk.evaluate(
    fromConfigItem(item),
    contextWith({ resources, accounts: [completeAccount("aws", ACCOUNT)] }),
  );
}

describe("keys.database-cmk on PostgreSQL flexible servers", () => {
  it("passes AzureKeyVault with a primary key URI, showing both in the evidence", () => {
    const verdict = judgeAzure(cmkServer);
    expect(verdict.status).toBe("pass");
    expect(verdict.evidence).toEqual([
      {
        path: "properties.dataEncryption.type",
        actual: "AzureKeyVault",
        expected: "AzureKeyVault",
      },
      {
        path: "properties.dataEncryption.primaryKeyURI",
        actual:
          "https://kv-contoso-cmk.vault.azure.net/keys/cmk-pg/0123456789abcdef0123456789abcdef",
        expected: "a key URI",
      },
    ]);
  });

  it("passes the type in any case", () => {
    const lower = withDataEncryption({
      ...(cmkServer.properties as { dataEncryption: object }).dataEncryption,
      type: "azurekeyvault",
    });
    expect(judgeAzure(lower).status).toBe("pass");
  });

  it("fails SystemManaged, the service's own key", () => {
    const verdict = judgeAzure(systemManaged);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toBe(
      'Microsoft.DBforPostgreSQL/flexibleServers pg-contoso-sys is encrypted with service-managed keys (properties.dataEncryption.type = "SystemManaged"); expected AzureKeyVault',
    );
  });

  it("fails an older document without dataEncryption, leaving actual out of the evidence", () => {
    const verdict = judgeAzure(olderServer);
    expect(verdict.status).toBe("fail");
    expect(verdict.evidence).toEqual([
      { path: "properties.dataEncryption.type", expected: "AzureKeyVault" },
    ]);
  });

  it("fails a null dataEncryption and one without a type", () => {
    expect(judgeAzure(withDataEncryption(null)).status).toBe("fail");
    expect(judgeAzure(withDataEncryption({})).status).toBe("fail");
  });

  it("reports AzureKeyVault without a key URI as an error, whether absent, null or empty", () => {
    for (const uri of [undefined, null, ""]) {
      const encryption =
        uri === undefined
          ? { type: "AzureKeyVault" }
          : { type: "AzureKeyVault", primaryKeyURI: uri };
      const verdict = judgeAzure(withDataEncryption(encryption));
      expect(verdict.status, String(uri)).toBe("error");
      expect(verdict.message).toContain(
        'has dataEncryption.type "AzureKeyVault" but properties.dataEncryption.primaryKeyURI',
      );
    }
  });

  it("reports an unknown type as an error naming it", () => {
    const verdict = judgeAzure(withDataEncryption({ type: "ManagedHsm" }));
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain('"ManagedHsm", a value this control does not know');
  });

  it("reports a document without properties as an error", () => {
    const { properties: _dropped, ...bare } = cmkServer;
    expect(judgeAzure(bare).status).toBe("error");
  });
});

describe("keys.database-cmk on RDS DB instances", () => {
  it("fails an unencrypted instance whose kmsKeyId is null", () => {
    const verdict = judgeAws(plainInstance);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toBe(
      "AWS::RDS::DBInstance contoso-db has configuration.storageEncrypted false: its storage is not encrypted; expected true with a customer-managed KMS key",
    );
    expect(verdict.evidence).toEqual([
      { path: "configuration.storageEncrypted", actual: false, expected: true },
    ]);
  });

  it("gives the decoded BatchGet item the same verdict as the Select row", () => {
    const batch = awsFixture("config.BatchGetResourceConfig.http.composed.json") as {
      response: { body: { baseConfigurationItems: Record<string, unknown>[] } };
    };
    const item = batch.response.body.baseConfigurationItems.find(
      (i) => i.resourceType === "AWS::RDS::DBInstance",
    );
    expect(judgeAws(decodeBatchGetItem(item ?? {}))).toEqual(judgeAws(plainInstance));
  });

  it("passes an encrypted instance whose key ARN resolves to a CUSTOMER key", () => {
    const verdict = judgeAws(encryptedInstance, [customerKmsKey(ACCOUNT, "us-east-1")]);
    expect(verdict.status).toBe("pass");
    expect(verdict.evidence).toEqual([
      { path: "configuration.storageEncrypted", actual: true, expected: true },
      {
        path: "configuration.kmsKeyId",
        actual: CUSTOMER_KEY_ARN,
        expected: "a customer-managed KMS key",
      },
      {
        path: `${CUSTOMER_KEY_ARN}#configuration.keyManager`,
        actual: "CUSTOMER",
        expected: "CUSTOMER",
      },
    ]);
  });

  it("fails an instance encrypted with the AWS-managed aws/rds key", () => {
    const awsManaged = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0b1c2d3e-0000-4000-8000-000000000001`;
    const byKey = judgeAws(
      withConfiguration(encryptedInstance, { kmsKeyId: awsManaged }),
      fixtureKmsKeys(),
    );
    expect(byKey.status).toBe("fail");
    const byAlias = judgeAws(withConfiguration(encryptedInstance, { kmsKeyId: "alias/aws/rds" }));
    expect(byAlias.status).toBe("fail");
    expect(byAlias.message).toContain("AWS-managed key alias/aws/rds");
  });

  it("fails an instance whose storageEncrypted is absent", () => {
    const { storageEncrypted: _dropped, ...configuration } =
      encryptedInstance.configuration as Record<string, unknown>;
    const verdict = judgeAws({ ...encryptedInstance, configuration });
    expect(verdict.status).toBe("fail");
    expect(verdict.evidence).toEqual([{ path: "configuration.storageEncrypted", expected: true }]);
  });

  it("reports an encrypted instance without a kmsKeyId as an error", () => {
    const verdict = judgeAws(withConfiguration(encryptedInstance, { kmsKeyId: null }));
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("is encrypted but has configuration.kmsKeyId null");
  });

  it("reports a key missing from a completely collected account as an error: who manages it is unknown", () => {
    const verdict = judgeAws(encryptedInstance);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      `no KMS key ${CUSTOMER_KEY_ID} in account ${ACCOUNT} region us-east-1; account ${ACCOUNT} region us-east-1 was collected completely`,
    );
  });

  it("fails an instance whose storageEncrypted is empty, as absent", () => {
    const verdict = judgeAws(withConfiguration(encryptedInstance, { storageEncrypted: "" }));
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toBe(
      'AWS::RDS::DBInstance contoso-db-encrypted has configuration.storageEncrypted "": its storage is not encrypted; expected true with a customer-managed KMS key',
    );
  });

  it("never resolves through a key item Config did not record, and names it", () => {
    const key = customerKmsKey(ACCOUNT, "us-east-1");
    const verdict = judgeAws(encryptedInstance, [notRecordedItem(key)]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      `which cannot be resolved: KMS key ${key.id} was not recorded by AWS Config (ResourceNotRecorded)`,
    );
  });

  it("reports a storageEncrypted that is not a boolean as an error", () => {
    const verdict = judgeAws(withConfiguration(encryptedInstance, { storageEncrypted: "true" }));
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain('= "true", which is not a boolean');
  });
});

describe("keys.database-cmk on RDS DB clusters", () => {
  it("passes a cluster encrypted with a customer key named by its bare id", () => {
    const verdict = judgeAws(clusterItem({ storageEncrypted: true, kmsKeyId: CUSTOMER_KEY_ID }), [
      customerKmsKey(ACCOUNT, "us-east-1"),
    ]);
    expect(verdict.status).toBe("pass");
    expect(verdict.message).toBe(
      `AWS::RDS::DBCluster contoso-aurora is encrypted with the customer-managed KMS key ${CUSTOMER_KEY_ARN}`,
    );
  });

  it("fails an unencrypted cluster", () => {
    const verdict = judgeAws(clusterItem({ storageEncrypted: false, kmsKeyId: null }));
    expect(verdict.status).toBe("fail");
  });

  it("fails a cluster whose storageEncrypted is empty, as absent", () => {
    const verdict = judgeAws(clusterItem({ storageEncrypted: "", kmsKeyId: CUSTOMER_KEY_ID }), [
      customerKmsKey(ACCOUNT, "us-east-1"),
    ]);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain('configuration.storageEncrypted "": its storage is not');
  });

  it("reports a cluster without configuration as an error", () => {
    const { configuration: _dropped, ...bare } = clusterItem({});
    expect(judgeAws(bare).status).toBe("error");
  });
});
