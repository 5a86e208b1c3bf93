import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { Logger } from "pino";
import {
  countProviderSegments,
  normaliseArmId,
  readDiagnosticSettingParent,
  readParentId,
  readSubscriptionId,
  readTypeFromId,
} from "./azure/arm-ids.js";
import { EstateError, requireEstateDirectory } from "./estate-error.js";
import type { ResolvedSettings } from "./settings.js";

/** A JSON object as parsed from a document. */
export type JsonObject = Record<string, unknown>;

/** The child lists served on ARM list endpoints under a parent resource. */
export type ArmChildKind = "keys" | "deployments" | "diagnosticSettings";

/** One ARM document of the estate. */
export interface AzureDocument {
  /** The id exactly as the document has it. */
  id: string;
  /** Lower-cased id with a leading slash, for lookups. */
  key: string;
  /** Subscription id as the id spells it. */
  subscriptionId: string;
  /** Lower-cased resource type (from `type`, else from the id). */
  type: string;
  /** The document as served (children such as peerings embedded). */
  document: JsonObject;
  /** Estate-relative file the document came from. */
  source: string;
}

/** One AWS Config item (or Network Firewall logging configuration) of the estate. */
export interface AwsItem {
  accountId: string;
  awsRegion: string;
  resourceType: string;
  resourceId: string;
  resourceName: string | undefined;
  /** `configurationItemStatus`; absent is treated as `OK`. */
  status: string;
  /** The item as a SelectResourceConfig row (configuration as an object). */
  document: JsonObject;
  source: string;
}

/** Everything the emulator serves, indexed for the handlers. */
export interface Estate {
  azure: {
    /** Served subscription ids, as first spelled. */
    subscriptions: string[];
    /** Documents served as Resource Graph rows, in estate order. */
    graphDocuments: AzureDocument[];
    /** Every document by normalised id. */
    byId: Map<string, AzureDocument>;
    /** Child documents by `<kind> <normalised parent id>`. */
    children: Map<string, AzureDocument[]>;
  };
  aws: {
    /** Served AWS account ids, sorted. */
    accounts: string[];
    /** Config items, in estate order. */
    items: AwsItem[];
    /** `AWS::NetworkFirewall::LoggingConfiguration` documents. */
    firewallLogging: AwsItem[];
  };
}

const firewallLoggingType = "AWS::NetworkFirewall::LoggingConfiguration";

const childKinds: Record<string, ArmChildKind> = {
  "microsoft.keyvault/vaults/keys": "keys",
  "microsoft.keyvault/managedhsms/keys": "keys",
  "microsoft.cognitiveservices/accounts/deployments": "deployments",
};

/** Child types that ARM embeds in their parent's properties rather than listing apart. */
const embeddedChildren: Record<string, string> = {
  "microsoft.network/virtualnetworks/virtualnetworkpeerings": "virtualNetworkPeerings",
  "microsoft.network/virtualnetworks/subnets": "subnets",
};

/** Child types that Resource Graph nevertheless lists in its `resources` table. */
const graphChildTypes = new Set(["microsoft.network/privatednszones/virtualnetworklinks"]);

/** Key of a child list in {@link Estate.azure.children}. */
export function childListKey(kind: ArmChildKind, parentKey: string): string {
  return `${kind} ${parentKey}`;
}

/** Reads every document of an estate directory and indexes it; errors name the file. */
export async function loadEstate(
  estateDir: string,
  settings: ResolvedSettings,
  logger: Logger,
): Promise<Estate> {
  await requireEstateDirectory(estateDir);

  const azureDocuments: AzureDocument[] = [];
  for (const file of await listJsonFiles(join(estateDir, "azure"))) {
    const source = relative(estateDir, file);
    const documents = await readDocuments(file, source);
    documents.forEach((document, index) => {
      azureDocuments.push(toAzureDocument(document, `${source}[${index}]`));
    });
  }

  const awsItems: AwsItem[] = [];
  for (const file of await listJsonFiles(join(estateDir, "aws"))) {
    const source = relative(estateDir, file);
    const documents = await readDocuments(file, source);
    documents.forEach((document, index) => {
      awsItems.push(toAwsItem(document, `${source}[${index}]`));
    });
  }

  const estate: Estate = {
    azure: indexAzureDocuments(azureDocuments, settings, logger),
    aws: indexAwsItems(awsItems, settings),
  };
  logger.info(
    {
      estateDir,
      azureDocuments: azureDocuments.length,
      awsItems: awsItems.length,
      subscriptions: estate.azure.subscriptions.length,
      awsAccounts: estate.aws.accounts.length,
    },
    "estate loaded",
  );
  return estate;
}

async function listJsonFiles(directory: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(directory, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.endsWith(".json"))
    .sort()
    .map((entry) => join(directory, entry));
}

/** A file holds one document, an array of them, or an ARM list envelope `{ value: [...] }`. */
async function readDocuments(file: string, source: string): Promise<JsonObject[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new EstateError(`${source}: not valid JSON (${(error as Error).message})`);
  }

  if (nestingDepth(parsed) > maxNestingDepth) {
    throw new EstateError(
      `${source}: nested deeper than ${maxNestingDepth} levels, which no cloud API returns`,
    );
  }
  const list = Array.isArray(parsed) ? parsed : (readListEnvelope(parsed) ?? [parsed]);
  return list.map((document, index) => {
    if (!isJsonObject(document)) {
      throw new EstateError(`${source}[${index}]: a document must be a JSON object`);
    }
    return document;
  });
}

/**
 * Deeper than any cloud document (ARM and Config documents stay within a few dozen levels). A
 * document past it is refused when the estate loads: serialising it for every page would
 * exhaust the stack, failing each page of its account rather than the one file.
 */
const maxNestingDepth = 256;

/** How deep arrays and objects nest in a parsed value; iterative, so any depth is measured. */
function nestingDepth(value: unknown): number {
  let deepest = 0;
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== "object" || next.value === null) continue;
    const depth = next.depth + 1;
    if (depth > deepest) deepest = depth;
    if (depth > maxNestingDepth) return depth;
    for (const child of Object.values(next.value)) pending.push({ value: child, depth });
  }
  return deepest;
}

function readListEnvelope(parsed: unknown): unknown[] | undefined {
  if (!isJsonObject(parsed) || !Array.isArray(parsed.value) || "id" in parsed) return undefined;
  return parsed.value;
}

function toAzureDocument(document: JsonObject, source: string): AzureDocument {
  const id = document.id;
  if (typeof id !== "string" || id.trim() === "") {
    throw new EstateError(`${source}: an Azure document needs a string \`id\``);
  }
  const subscriptionId = readSubscriptionId(id);
  if (subscriptionId === undefined) {
    throw new EstateError(`${source}: id "${id}" does not start with /subscriptions/<id>`);
  }
  const idType = readTypeFromId(id);
  const declaredType = typeof document.type === "string" ? document.type.toLowerCase() : undefined;
  const type = declaredType ?? idType;
  if (type === undefined) {
    throw new EstateError(`${source}: cannot tell the resource type of "${id}"`);
  }
  return { id, key: normaliseArmId(id), subscriptionId, type, document, source };
}

function toAwsItem(document: JsonObject, source: string): AwsItem {
  const { accountId, awsRegion, resourceType } = document;
  if (typeof accountId !== "string" || !/^\d{12}$/.test(accountId)) {
    throw new EstateError(`${source}: an AWS item needs \`accountId\`, a 12-digit string`);
  }
  if (typeof awsRegion !== "string" || awsRegion === "") {
    throw new EstateError(`${source}: an AWS item needs \`awsRegion\``);
  }
  if (typeof resourceType !== "string" || !resourceType.startsWith("AWS::")) {
    throw new EstateError(`${source}: an AWS item needs \`resourceType\` such as AWS::S3::Bucket`);
  }

  const configuration = readConfiguration(document.configuration, source);
  const normalised = configuration === undefined ? document : { ...document, configuration };
  const firewallArn = configuration?.FirewallArn;
  const resourceId =
    typeof document.resourceId === "string"
      ? document.resourceId
      : resourceType === firewallLoggingType && typeof firewallArn === "string"
        ? firewallArn
        : undefined;
  if (resourceId === undefined) {
    throw new EstateError(`${source}: an AWS item needs \`resourceId\``);
  }
  if (resourceType === firewallLoggingType && typeof firewallArn !== "string") {
    throw new EstateError(`${source}: a ${firewallLoggingType} needs configuration.FirewallArn`);
  }

  return {
    accountId,
    awsRegion,
    resourceType,
    resourceId,
    resourceName: typeof document.resourceName === "string" ? document.resourceName : undefined,
    status:
      typeof document.configurationItemStatus === "string"
        ? document.configurationItemStatus
        : "OK",
    document: normalised,
    source,
  };
}

/** Accepts `configuration` as an object or as the JSON string BatchGet returns. */
function readConfiguration(value: unknown, source: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (isJsonObject(value)) return value;
  if (typeof value === "string") {
    try {
      const parsed: unknown = JSON.parse(value);
      if (isJsonObject(parsed)) return parsed;
    } catch {
      // Reported below with the file name.
    }
  }
  throw new EstateError(`${source}: \`configuration\` must be an object (or its JSON string)`);
}

function indexAzureDocuments(
  documents: AzureDocument[],
  settings: ResolvedSettings,
  logger: Logger,
): Estate["azure"] {
  const byId = new Map<string, AzureDocument>();
  for (const document of documents) {
    const existing = byId.get(document.key);
    if (existing !== undefined) {
      throw new EstateError(
        `${document.source}: id "${document.id}" is also in ${existing.source} (ids ignore case)`,
      );
    }
    byId.set(document.key, document);
  }

  const children = new Map<string, AzureDocument[]>();
  const embedded = new Map<string, AzureDocument[]>();
  const graphDocuments: AzureDocument[] = [];
  for (const document of documents) {
    const diagnosticParent = readDiagnosticSettingParent(document.id);
    const idType = readTypeFromId(document.id) ?? document.type;
    const childKind = childKinds[idType];
    if (diagnosticParent !== undefined) {
      appendTo(children, childListKey("diagnosticSettings", diagnosticParent), document);
    } else if (childKind !== undefined) {
      appendTo(children, childListKey(childKind, readParentId(document.id)), document);
    } else if (embeddedChildren[idType] !== undefined) {
      appendTo(embedded, readParentId(document.id), document);
    } else if (isGraphResource(document.id, idType)) {
      graphDocuments.push(document);
    } else {
      // Limitation: other child and extension resources are served only by a GET of their id.
      logger.debug({ id: document.id, source: document.source }, "document served by id only");
    }
  }

  for (const [parentKey, childDocuments] of embedded) {
    const parent = byId.get(parentKey);
    if (parent === undefined) {
      const orphan = childDocuments[0];
      throw new EstateError(`${orphan?.source}: parent of "${orphan?.id}" is not in the estate`);
    }
    parent.document = embedChildren(parent.document, childDocuments);
  }

  const subscriptions = uniqueIgnoringCase([
    ...documents.map((document) => document.subscriptionId),
    ...settings.accounts.azure,
  ]);
  return { subscriptions, graphDocuments, byId, children };
}

function isGraphResource(id: string, idType: string): boolean {
  if (graphChildTypes.has(idType)) return true;
  return countProviderSegments(id) === 1 && idType.split("/").length === 2;
}

function embedChildren(parent: JsonObject, childDocuments: AzureDocument[]): JsonObject {
  const properties = isJsonObject(parent.properties) ? { ...parent.properties } : {};
  for (const child of childDocuments) {
    const property = embeddedChildren[readTypeFromId(child.id) ?? ""];
    if (property === undefined) continue;
    const current = Array.isArray(properties[property])
      ? [...(properties[property] as unknown[])]
      : [];
    const alreadyThere = current.some(
      (entry) =>
        isJsonObject(entry) &&
        typeof entry.id === "string" &&
        normaliseArmId(entry.id) === child.key,
    );
    if (!alreadyThere) current.push(child.document);
    properties[property] = current;
  }
  return { ...parent, properties };
}

function indexAwsItems(items: AwsItem[], settings: ResolvedSettings): Estate["aws"] {
  const seen = new Map<string, AwsItem>();
  for (const item of items) {
    const key = [item.accountId, item.awsRegion, item.resourceType, item.resourceId].join(" ");
    const existing = seen.get(key);
    if (existing !== undefined) {
      throw new EstateError(
        `${item.source}: ${item.resourceType} "${item.resourceId}" is also in ${existing.source}`,
      );
    }
    seen.set(key, item);
  }

  const accounts = new Set<string>([
    ...items.map((item) => item.accountId),
    ...settings.accounts.aws,
    ...Object.keys(settings.aws.accounts),
  ]);
  if (settings.aws.aggregator !== undefined) accounts.add(settings.aws.aggregator.account);

  return {
    accounts: [...accounts].sort(),
    items: items.filter((item) => item.resourceType !== firewallLoggingType),
    firewallLogging: items.filter((item) => item.resourceType === firewallLoggingType),
  };
}

function appendTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function uniqueIgnoringCase(values: string[]): string[] {
  const seen = new Map<string, string>();
  for (const value of values) {
    if (!seen.has(value.toLowerCase())) seen.set(value.toLowerCase(), value);
  }
  return [...seen.values()];
}

/** Whether a value is a plain JSON object. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
