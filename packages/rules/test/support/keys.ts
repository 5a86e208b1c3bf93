import { fromArmDocument } from "../../src/canonical/from-arm-document.js";
import { fromConfigItem } from "../../src/canonical/from-config-item.js";
import type { CanonicalResource } from "../../src/model.js";
import { armDocumentsOf, awsFixture, azureFixture, selectRowsOf } from "./fixtures.js";

/** The id of the customer-managed KMS key of the real KMS fixture. */
export const CUSTOMER_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";

/** The real key vaults of the Key Vault list fixture, as canonical resources. */
export function fixtureVaults(): CanonicalResource[] {
  return armDocumentsOf(azureFixture("Microsoft.KeyVault_vaults.list.arm.real.json")).map((d) =>
    fromArmDocument(d),
  );
}

/** One vault of the Key Vault list fixture by name (`Kv-Contoso-Cmk`, `kv-contoso-nopurge`). */
export function fixtureVault(name: string): CanonicalResource {
  const vault = fixtureVaults().find((v) => v.name === name);
  if (vault === undefined) throw new Error(`no vault ${name} in the fixture`);
  return vault;
}

/** A vault key as the Key Vault management API lists it, with the given attributes. */
export function vaultKey(
  vault: CanonicalResource,
  name: string,
  attributes: Record<string, unknown>,
): CanonicalResource {
  const uri = `https://${vault.name.toLowerCase()}.vault.azure.net/keys/${name}`;
  return fromArmDocument(
    {
      id: `${vault.id}/keys/${name}`,
      name,
      type: "Microsoft.KeyVault/vaults/keys",
      location: vault.location,
      tags: {},
      properties: {
        attributes: { created: 1700000000, updated: 1700000000, ...attributes },
        kty: "RSA",
        keySize: 2048,
        keyUri: uri,
        keyUriWithVersion: `${uri}/0123456789abcdef0123456789abcdef`,
      },
    },
    vault,
  );
}

/** The real customer-managed KMS key row, placed in an account and region with its ARN. */
export function customerKmsKey(account: string, region: string): CanonicalResource {
  const [row] = selectRowsOf(
    awsFixture("config.SelectResourceConfig.kms-key-customer-managed.http.real.json"),
  );
  return fromConfigItem({
    ...row,
    accountId: account,
    awsRegion: region,
    resourceType: "AWS::KMS::Key",
    arn: `arn:aws:kms:${region}:${account}:key/${CUSTOMER_KEY_ID}`,
  });
}

/**
 * The composed KMS rows in account 111122223333, us-east-1: an AWS-managed Enabled key (…001), a
 * customer key pending deletion (…002) and a disabled customer key (…003).
 */
export function fixtureKmsKeys(): CanonicalResource[] {
  return selectRowsOf(
    awsFixture(
      "config.SelectResourceConfig.kms-key-aws-managed-pending-deletion.http.composed.json",
    ),
  ).map((row) => fromConfigItem(row));
}

/** An `AWS::KMS::Alias` item with the CloudFormation field names Config records. */
export function kmsAlias(
  account: string,
  region: string,
  aliasName: string,
  targetKeyId: string | undefined,
): CanonicalResource {
  return fromConfigItem({
    accountId: account,
    awsRegion: region,
    resourceType: "AWS::KMS::Alias",
    resourceId: aliasName,
    arn: `arn:aws:kms:${region}:${account}:${aliasName}`,
    configurationItemStatus: "OK",
    configuration:
      targetKeyId === undefined
        ? { AliasName: aliasName }
        : { AliasName: aliasName, TargetKeyId: targetKeyId },
  });
}

/** A KMS key or alias item as Config lists it when it did not record it: no configuration. */
export function notRecordedItem(item: CanonicalResource): CanonicalResource {
  const { configuration: _dropped, ...raw } = item.raw;
  return fromConfigItem({ ...raw, configurationItemStatus: "ResourceNotRecorded" });
}
