import { closest, distance } from "fastest-levenshtein";
import { AWS_REGIONS, type AwsGeography } from "./aws-regions.js";
import {
  AZURE_GEOGRAPHIES,
  AZURE_REGIONS,
  type AzureGeography,
  type AzureRegion,
  type DataZone,
} from "./azure-regions.js";

/** Which cloud a catalogued region belongs to. */
export type RegionCloud = "azure" | "aws";

/** What a location string means once canonicalised. */
export type CanonicalRegion =
  | { kind: "region"; name: string; cloud: RegionCloud }
  | { kind: "global" }
  | { kind: "geography"; name: string; regions: string[] }
  | { kind: "unknown"; value: string }
  | { kind: "missing" };

const azureRegionsByName = new Map<string, AzureRegion>(AZURE_REGIONS.map((r) => [r.name, r]));
const awsRegionsByName = new Map(AWS_REGIONS.map((r) => [r.name, r]));

function compactName(value: string): string {
  return value.toLowerCase().replace(/\s+/g, "");
}

function regionsOfGeography(geography: AzureGeography): string[] {
  const covers = geography.covers;
  if ("regions" in covers) return [...covers.regions];
  if ("geographyGroup" in covers) {
    return AZURE_REGIONS.filter((r) => r.geographyGroup === covers.geographyGroup).map(
      (r) => r.name,
    );
  }
  return AZURE_REGIONS.filter((r) => covers.geography.includes(r.geography)).map((r) => r.name);
}

const geographyRegions = new Map<string, string[]>(
  AZURE_GEOGRAPHIES.map((g) => [g.name, regionsOfGeography(g)]),
);

/** Every spelling accepted for an Azure location, compacted, to its programmatic name. */
const azureAliases = new Map<string, string>();
for (const r of AZURE_REGIONS) {
  azureAliases.set(r.name, r.name);
  azureAliases.set(compactName(r.displayName), r.name);
}
/** AWS display names (`Europe (Ireland)`), compacted, to region names. */
const awsAliases = new Map<string, string>(
  AWS_REGIONS.map((r) => [compactName(r.displayName), r.name]),
);
const geographyAliases = new Map<string, string>();
for (const g of AZURE_GEOGRAPHIES) {
  geographyAliases.set(g.name, g.name);
  geographyAliases.set(compactName(g.displayName), g.name);
}

// Limitation: the catalogue is a snapshot shipped as data; a region opened after it was last
// updated canonicalises as `unknown`, so residency verdicts on it are `error` until the data
// files are updated.

/** Names of every AWS commercial region: the default set of regions an AWS scan covers. */
export const AWS_REGION_NAMES: readonly string[] = AWS_REGIONS.map((r) => r.name);

/** Programmatic names of every physical Azure region in the catalogue. */
export const AZURE_REGION_NAMES: readonly string[] = AZURE_REGIONS.map((r) => r.name);

/**
 * Canonicalises a location as a document or a policy writes it: lower-cased, spaces removed,
 * display names accepted (`Sweden Central` → `swedencentral`, `Europe (Ireland)` →
 * `eu-west-1`), AWS region names as they are,
 * `global`, and Azure geography locations (`Europe`) with the regions they cover.
 */
export function canonicalRegion(location: unknown): CanonicalRegion {
  if (location === undefined || location === null) return { kind: "missing" };
  if (typeof location !== "string") return { kind: "unknown", value: String(location) };
  const compact = compactName(location);
  if (compact === "") return { kind: "missing" };
  if (compact === "global") return { kind: "global" };

  const azure = azureAliases.get(compact);
  if (azure !== undefined) return { kind: "region", name: azure, cloud: "azure" };
  if (awsRegionsByName.has(compact)) return { kind: "region", name: compact, cloud: "aws" };
  const aws = awsAliases.get(compact);
  if (aws !== undefined) return { kind: "region", name: aws, cloud: "aws" };
  const geography = geographyAliases.get(compact);
  if (geography !== undefined) {
    return {
      kind: "geography",
      name: geography,
      regions: [...(geographyRegions.get(geography) ?? [])],
    };
  }
  return { kind: "unknown", value: location };
}

/** The canonical string for a location: a region name, `global`, a geography name, or null. */
export function canonicalRegionName(location: unknown): string | null {
  const canonical = canonicalRegion(location);
  switch (canonical.kind) {
    case "region":
    case "geography":
      return canonical.name;
    case "global":
      return "global";
    default:
      return null;
  }
}

/** True when `name` is a catalogued Azure or AWS region, in any accepted spelling. */
export function isKnownRegion(name: string): boolean {
  return canonicalRegion(name).kind === "region";
}

/** True when `name` is a catalogued Azure geography location such as `europe`. */
export function isKnownGeography(name: string): boolean {
  return canonicalRegion(name).kind === "geography";
}

const suggestionCandidates: readonly string[] = [
  ...AZURE_REGION_NAMES,
  ...AWS_REGION_NAMES,
  ...AZURE_GEOGRAPHIES.map((g) => g.name),
];

/**
 * The catalogued name closest to a mistyped one (edit distance), for error messages; null when
 * nothing is reasonably close (more than a third of the name would have to change).
 */
export function suggestRegion(typo: string): string | null {
  const compact = compactName(typo);
  if (compact === "") return null;
  const best = closest(compact, suggestionCandidates as string[]);
  const limit = Math.max(2, Math.ceil(compact.length / 3));
  return distance(compact, best) <= limit ? best : null;
}

/** The Azure OpenAI data zone of an Azure region, or null when it has none or is unknown. */
export function dataZoneOf(azureRegion: string): DataZone | null {
  const canonical = canonicalRegion(azureRegion);
  if (canonical.kind !== "region" || canonical.cloud !== "azure") return null;
  return azureRegionsByName.get(canonical.name)?.dataZone ?? null;
}

/** The catalogue entry of an Azure region (any accepted spelling), or undefined. */
export function azureRegionOf(location: string): AzureRegion | undefined {
  const canonical = canonicalRegion(location);
  return canonical.kind === "region" ? azureRegionsByName.get(canonical.name) : undefined;
}

/** The geography of an AWS region (`eu`, `us`, `apac`, …), or null when it is not catalogued. */
export function awsGeographyOf(region: string): AwsGeography | null {
  return awsRegionsByName.get(compactName(region))?.geography ?? null;
}
