import { describeNotCollected, notCollected } from "../canonical/collected.js";
import { isRecord, readString } from "../canonical/document.js";
import { isInventoried } from "../canonical/from-config-item.js";
import type { AccountCollection, CanonicalResource, Provider } from "../model.js";
import type { Policy } from "../policy/types.js";
import { DataflowIndex } from "./dataflow-index.js";
import { NetworkIndex } from "./network-index.js";

/** Outcome of resolving an Azure key URI. */
export type AzureKeyResolution =
  | { status: "not-a-key-uri"; reference: string }
  | {
      status: "vault-missing";
      reference: string;
      /** Host of the vault or managed HSM the URI names. */
      host: string;
      keyName: string;
    }
  | {
      status: "resolved";
      reference: string;
      host: string;
      keyName: string;
      /** Version named by the URI, or null when it names the key only. */
      version: string | null;
      /** The vault or managed HSM. */
      vault: CanonicalResource;
      /** The key, or null when the vault's keys hold none by that name. */
      key: CanonicalResource | null;
    };

/** Outcome of resolving an AWS KMS key reference (key id, key ARN, alias name or alias ARN). */
export type KmsKeyResolution =
  | {
      status: "aws-managed";
      reference: string;
      /** The `alias/aws/*` alias that marks the key as AWS-managed. */
      alias: string;
      /** Account and region the alias belongs to (from its ARN, else the referring resource's). */
      account: string;
      region: string | null;
    }
  | {
      status: "resolved";
      reference: string;
      key: CanonicalResource;
      /** `configuration.keyManager` of the key (`CUSTOMER`, `AWS`), or null when absent. */
      keyManager: string | null;
      /** The alias followed on the way, or null for a direct key reference. */
      alias: string | null;
    }
  | {
      status: "unreadable";
      reference: string;
      /**
       * The alias or key item the reference leads to, which AWS Config did not record or whose
       * document has no `configuration`: nothing can be resolved through it.
       */
      item: CanonicalResource;
      /** Names the item and why it cannot be read, for error messages. */
      reason: string;
      /** The alias followed on the way, or null when the unreadable item is the one named. */
      alias: string | null;
    }
  | {
      status: "unresolved";
      reference: string;
      /** Why nothing was found, for error messages. */
      reason: string;
      /**
       * What is missing: no key or no alias by that name in the inventory, or an alias whose
       * item names no target key.
       */
      missing: "key" | "alias" | "alias-target";
      /** Account and region that would hold the missing key or alias. */
      account: string;
      region: string | null;
    };

const AZURE_KEY_URI = /^https:\/\/([^/]+)\/keys\/([^/]+)(?:\/([^/?#]+))?\/?$/i;
// ARNs are matched without case; the account and region parts keep the spelling written.
const KMS_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key|alias)\/(.+)$/i;

function hostOf(uri: string): string | null {
  try {
    return new URL(uri).host.toLowerCase();
  } catch {
    return null;
  }
}

/** Options of `InventoryIndex`. */
export interface InventoryIndexOptions {
  /** The policy whose data-flow selectors decide which resources the index keeps for them. */
  policy?: Policy;
}

/**
 * The few resources that other resources refer to, collected while a whole inventory streams
 * past: Azure key vaults, managed HSMs and their keys; AWS KMS keys and aliases; account-level
 * S3 public-access blocks. Everything else is dropped, so memory stays flat for large estates.
 * Also knows which accounts (and AWS regions) were collected completely.
 */
export class InventoryIndex {
  /** Network resources that private endpoint, DNS and egress verdicts follow. */
  readonly network = new NetworkIndex();
  /** Resources the tenants' data-flow stages select. */
  readonly dataflow: DataflowIndex;
  private readonly vaultsByHost = new Map<string, CanonicalResource>();
  private readonly vaultKeys = new Map<string, CanonicalResource>();
  private readonly kmsKeys = new Map<string, CanonicalResource>();
  private readonly kmsAliases = new Map<string, CanonicalResource>();
  private readonly accountPublicAccessBlocks = new Map<string, CanonicalResource>();
  private readonly accounts = new Map<string, AccountCollection>();

  constructor(options: InventoryIndexOptions = {}) {
    this.dataflow = new DataflowIndex(options.policy ?? null);
  }

  /** Keeps the resource when it is of a referenced type; ignores everything else. */
  add(resource: CanonicalResource): void {
    if (!isInventoried(resource)) return;
    this.network.add(resource);
    this.dataflow.add(resource);
    switch (resource.type) {
      case "Microsoft.KeyVault/vaults":
        this.addVault(resource, "properties.vaultUri");
        return;
      case "Microsoft.KeyVault/managedHSMs":
        this.addVault(resource, "properties.hsmUri");
        return;
      case "Microsoft.KeyVault/vaults/keys":
      case "Microsoft.KeyVault/managedHSMs/keys":
        if (resource.parentKey !== null) {
          this.vaultKeys.set(`${resource.parentKey}|${resource.name.toLowerCase()}`, resource);
        }
        return;
      case "AWS::KMS::Key":
        this.addKmsKey(resource);
        return;
      case "AWS::KMS::Alias":
        this.addKmsAlias(resource);
        return;
      case "AWS::S3::AccountPublicAccessBlock":
        this.addAccountPublicAccessBlock(resource);
        return;
      default:
        return;
    }
  }

  /** Records how each account was collected, for verdicts that rest on something being absent. */
  setAccounts(accounts: readonly AccountCollection[]): void {
    this.accounts.clear();
    for (const account of accounts) {
      this.accounts.set(accountKey(account.provider, account.account), account);
    }
  }

  /** Every account collection record, in the order they were set. */
  accountCollections(): AccountCollection[] {
    return [...this.accounts.values()];
  }

  /** The collection record of an account, or undefined when it was not collected at all. */
  accountCollection(provider: Provider, account: string): AccountCollection | undefined {
    return this.accounts.get(accountKey(provider, account));
  }

  /**
   * True when the absence of something in an account (and AWS region) is a fact: the account
   * was collected `complete`, or, for AWS, the region is among its completely collected regions.
   */
  isCollectedComplete(provider: Provider, account: string, region?: string | null): boolean {
    const collection = this.accountCollection(provider, account);
    if (collection === undefined) return false;
    if (collection.status === "complete") return true;
    return (
      provider === "aws" &&
      region !== undefined &&
      region !== null &&
      collection.status === "partial" &&
      collection.completeRegions.includes(region)
    );
  }

  /**
   * Resolves an Azure key URI (`https://<vault>.vault.azure.net/keys/<name>[/<version>]`, or a
   * managed HSM's) to the vault whose URI has the same host, and to its key of that name.
   */
  resolveAzureKey(reference: string): AzureKeyResolution {
    const match = AZURE_KEY_URI.exec(reference.trim());
    const host = hostOf(reference.trim());
    if (match === null || host === null) return { status: "not-a-key-uri", reference };
    const keyName = match[2] ?? "";
    const vault = this.vaultsByHost.get(host);
    if (vault === undefined) return { status: "vault-missing", reference, host, keyName };
    return {
      status: "resolved",
      reference,
      host,
      keyName,
      version: match[3] ?? null,
      vault,
      key: this.vaultKeys.get(`${vault.key}|${keyName.toLowerCase()}`) ?? null,
    };
  }

  /**
   * Resolves a KMS key reference as a resource in `account` and `region` writes it: a key id, a
   * key ARN, an alias name or an alias ARN. `alias/aws/*` in either form is AWS-managed without
   * a lookup; other aliases resolve through their `TargetKeyId`.
   */
  resolveKmsKey(reference: string, account: string, region: string | null): KmsKeyResolution {
    const trimmed = reference.trim();
    const arn = KMS_ARN.exec(trimmed);
    const keyAccount = arn?.[2] ?? account;
    const keyRegion = arn?.[1]?.toLowerCase() ?? region;
    const kind = arn?.[3]?.toLowerCase();
    const isAlias = arn !== null ? kind === "alias" : /^alias\//i.test(trimmed);
    const name = arn !== null ? `${kind}/${arn[4]}` : trimmed;
    const where = `account ${keyAccount} region ${keyRegion ?? "unknown"}`;

    if (isAlias) {
      if (name.toLowerCase().startsWith("alias/aws/")) {
        return {
          status: "aws-managed",
          reference,
          alias: name,
          account: keyAccount,
          region: keyRegion,
        };
      }
      const alias = this.kmsAliases.get(kmsLookupKey(keyAccount, keyRegion, name));
      if (alias !== undefined && notCollected(alias) !== null) {
        return unreadable(reference, alias, "KMS alias", null);
      }
      if (alias === undefined) {
        return {
          status: "unresolved",
          reference,
          reason: `no KMS alias ${name} in ${where}`,
          missing: "alias",
          account: keyAccount,
          region: keyRegion,
        };
      }
      const target = readString(alias.raw, "configuration.TargetKeyId");
      if (target === undefined) {
        return {
          status: "unresolved",
          reference,
          reason: `KMS alias ${name} has no TargetKeyId`,
          missing: "alias-target",
          account: keyAccount,
          region: keyRegion,
        };
      }
      // A target written as a bare key id lives in the alias's own account and region.
      const resolved = this.resolveKmsKey(target, alias.account, alias.region ?? keyRegion);
      return resolved.status === "resolved" || resolved.status === "unreadable"
        ? { ...resolved, reference, alias: name }
        : resolved;
    }

    const keyId = arn !== null ? (arn[4] ?? "") : trimmed.replace(/^key\//i, "");
    const key =
      this.kmsKeys.get(trimmed.toLowerCase()) ??
      this.kmsKeys.get(kmsLookupKey(keyAccount, keyRegion, keyId));
    if (key === undefined) {
      return {
        status: "unresolved",
        reference,
        reason: `no KMS key ${keyId} in ${where}`,
        missing: "key",
        account: keyAccount,
        region: keyRegion,
      };
    }
    if (notCollected(key) !== null) return unreadable(reference, key, "KMS key", null);
    const keyManager = readString(key.raw, "configuration.keyManager") ?? null;
    return { status: "resolved", reference, key, keyManager, alias: null };
  }

  /**
   * The account-level S3 public-access block of an AWS account, or undefined. A readable item is
   * preferred over one Config did not record or that has no `configuration`; the caller checks
   * which it got.
   */
  accountPublicAccessBlock(account: string): CanonicalResource | undefined {
    return this.accountPublicAccessBlocks.get(account);
  }

  private addAccountPublicAccessBlock(resource: CanonicalResource): void {
    const kept = this.accountPublicAccessBlocks.get(resource.account);
    if (kept === undefined || notCollected(kept) !== null || notCollected(resource) === null) {
      this.accountPublicAccessBlocks.set(resource.account, resource);
    }
  }

  private addVault(resource: CanonicalResource, uriPath: string): void {
    const uri = readString(resource.raw, uriPath);
    const host = uri === undefined ? null : hostOf(uri);
    if (host !== null) this.vaultsByHost.set(host, resource);
  }

  private addKmsKey(resource: CanonicalResource): void {
    const keyId = readString(resource.raw, "configuration.keyId") ?? resource.name;
    this.kmsKeys.set(kmsLookupKey(resource.account, resource.region, keyId), resource);
    const arn = readString(resource.raw, "arn") ?? readString(resource.raw, "configuration.arn");
    if (arn !== undefined) this.kmsKeys.set(arn.toLowerCase(), resource);
  }

  private addKmsAlias(resource: CanonicalResource): void {
    const configuration = resource.raw.configuration;
    // An item Config did not record has no configuration; its ARN still names the alias, so a
    // reference to it finds the item and reports it unreadable instead of missing.
    const arnName = KMS_ARN.exec(readString(resource.raw, "arn") ?? "");
    const aliasName =
      (isRecord(configuration) ? readString(configuration, "AliasName") : undefined) ??
      (arnName?.[3]?.toLowerCase() === "alias" ? `alias/${arnName[4]}` : undefined) ??
      (/^alias\//i.test(resource.name) ? resource.name : undefined);
    if (aliasName !== undefined) {
      this.kmsAliases.set(kmsLookupKey(resource.account, resource.region, aliasName), resource);
    }
  }
}

function unreadable(
  reference: string,
  item: CanonicalResource,
  label: string,
  alias: string | null,
): KmsKeyResolution {
  const state = notCollected(item);
  const why = state === null ? "cannot be read" : describeNotCollected(state);
  return { status: "unreadable", reference, item, reason: `${label} ${item.id} ${why}`, alias };
}

function accountKey(provider: Provider, account: string): string {
  return `${provider}|${account.toLowerCase()}`;
}

function kmsLookupKey(account: string, region: string | null, name: string): string {
  return `${account}|${(region ?? "").toLowerCase()}|${name.toLowerCase()}`;
}
