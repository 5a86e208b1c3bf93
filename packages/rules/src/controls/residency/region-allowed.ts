import { collectValues } from "../../canonical/collect.js";
import { isAbsent } from "../../canonical/document.js";
import type { CanonicalResource, Evidence } from "../../model.js";
import { isInForce } from "../../policy/dates.js";
import type { Owner } from "../../policy/types.js";
import { canonicalRegion } from "../../regions/catalogue.js";
import type { ResourceControl, VerdictRow } from "../types.js";
import { checkCollected, describeResource, formatValue, row } from "../verdicts.js";

/**
 * Types that have no region by nature and may sit in `global` (a closed list). AWS items
 * recorded in `global` are the IAM types, Route 53 hosted zones and CloudFront distributions.
 */
const GLOBAL_AZURE_TYPES = new Set(
  [
    "Microsoft.Network/privateDnsZones",
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    "Microsoft.Network/dnsZones",
    "Microsoft.Network/frontDoors",
    "Microsoft.Network/frontdoorWebApplicationFirewallPolicies",
    "Microsoft.Cdn/profiles",
    "Microsoft.Network/trafficManagerProfiles",
    "Microsoft.Insights/actionGroups",
    "Microsoft.Insights/activityLogAlerts",
  ].map((type) => type.toLowerCase()),
);
const GLOBAL_AWS_TYPES = new Set(["AWS::Route53::HostedZone", "AWS::CloudFront::Distribution"]);

function mayBeGlobal(resource: CanonicalResource): boolean {
  if (resource.provider === "azure") return GLOBAL_AZURE_TYPES.has(resource.type.toLowerCase());
  return resource.type.startsWith("AWS::IAM::") || GLOBAL_AWS_TYPES.has(resource.type);
}

/** The path of each second copy a type keeps elsewhere. */
function replicaPattern(type: string): string | null {
  switch (type) {
    case "Microsoft.Storage/storageAccounts":
      // Geo-redundant replication keeps a second copy in `secondaryLocation`.
      return "properties.secondaryLocation";
    case "Microsoft.DocumentDB/databaseAccounts":
      return "properties.locations[*].locationName";
    default:
      return null;
  }
}

/**
 * Where a resource stores data: its location, plus the replicas some types keep elsewhere. An
 * absent replica location (missing, null or "", as locally redundant storage reports it) means
 * no second copy, so there is nothing more to judge.
 */
function locationsOf(resource: CanonicalResource): { path: string; value: unknown }[] {
  const primary = {
    path: resource.provider === "azure" ? "location" : "awsRegion",
    value: resource.location ?? undefined,
  };
  const pattern = replicaPattern(resource.type);
  if (pattern === null) return [primary];
  return [primary, ...collectValues(resource.raw, pattern).filter((r) => !isAbsent(r.value))];
}

/** The regions an owner may use now, and the fallbacks whose contract has ended. */
function approvedRegions(owner: Owner, now: Date) {
  const allowed = new Set(owner.regions.allowed);
  const underContract = new Map(
    owner.regions.fallback.filter((f) => isInForce(f.until, now)).map((f) => [f.region, f]),
  );
  const ended = new Map(
    owner.regions.fallback.filter((f) => !isInForce(f.until, now)).map((f) => [f.region, f]),
  );
  return { allowed, underContract, ended };
}

type Judgement = { status: "pass" | "fail" | "error"; text: string };

function judgeRegion(region: string, owner: Owner, now: Date): Judgement {
  const { allowed, underContract, ended } = approvedRegions(owner, now);
  if (allowed.has(region)) return { status: "pass", text: `${region} is allowed` };
  const fallback = underContract.get(region);
  if (fallback !== undefined) {
    return {
      status: "pass",
      text:
        `${region} is a fallback region under contract ${fallback.contract} ` +
        `until ${fallback.until}`,
    };
  }
  const expired = ended.get(region);
  if (expired !== undefined) {
    return {
      status: "fail",
      text:
        `${region} is a fallback region whose contract ${expired.contract} ` +
        `ended on ${expired.until}`,
    };
  }
  return { status: "fail", text: `${region} is not an approved region` };
}

function judgeLocation(
  resource: CanonicalResource,
  value: unknown,
  owner: Owner,
  now: Date,
): Judgement {
  const canonical = canonicalRegion(value);
  switch (canonical.kind) {
    case "missing":
      return { status: "error", text: "the location is missing on a regional type" };
    case "unknown":
      return {
        status: "error",
        text: `location ${formatValue(canonical.value)} is not in the region catalogue`,
      };
    case "global":
      return mayBeGlobal(resource)
        ? { status: "pass", text: "global is allowed for a type without a region" }
        : { status: "fail", text: `global is not allowed for ${resource.type}, a regional type` };
    case "geography": {
      const refused = canonical.regions.filter((r) => judgeRegion(r, owner, now).status !== "pass");
      return refused.length === 0
        ? { status: "pass", text: `every region of geography ${canonical.name} is approved` }
        : {
            status: "fail",
            text:
              `geography ${canonical.name} includes regions that are not approved ` +
              `(${refused.join(", ")})`,
          };
    }
    case "region":
      // An AWS region name on an Azure document (or the reverse) is no place the resource
      // can be: the value is outside the set, so it is an error naming it.
      if (canonical.cloud !== resource.provider) {
        return {
          status: "error",
          text: `location ${formatValue(value)} is a region of ${canonical.cloud}, not of ${resource.provider}`,
        };
      }
      return judgeRegion(canonical.name, owner, now);
  }
}

function describeApproved(owner: Owner, now: Date): string {
  const { allowed, underContract } = approvedRegions(owner, now);
  return [...allowed, ...underContract.keys()].join(", ");
}

/** Every top-level resource is in one of its owner's approved regions. */
export const regionAllowed: ResourceControl = {
  id: "residency.region-allowed",
  scope: "resource",
  title: "Every resource is in a region its owner's data-protection officer approved",
  severity: "high",
  rationale:
    "Where data is stored decides which law governs it and who may be compelled to hand it over. " +
    "Business units commit to specific regions; a resource outside them, or in a fallback " +
    "region after its contract has ended, breaks that commitment.",
  remediation: {
    azure:
      "Recreate the resource (or its replica) in an allowed region and migrate the data, or " +
      "record the region as allowed or as a fallback under contract in the policy file; assign " +
      "the Allowed locations policy to stop new resources elsewhere.",
    aws:
      "Move the resource to an allowed region, or record the region in the policy file; deny " +
      "other regions with a service control policy on aws:RequestedRegion.",
  },
  references: [
    { kind: "azure-policy", name: "Allowed locations" },
    {
      kind: "documentation",
      title: "AWS Control Tower: configure the Region deny control",
      url: "https://docs.aws.amazon.com/controltower/latest/userguide/region-deny.html",
      provider: "aws",
    },
  ],
  resourceTypes: ["*"],

  appliesTo(resource) {
    return resource.parentKey === null;
  },

  evaluate(resource, context): VerdictRow {
    const notCollected = checkCollected(resource);
    if (notCollected !== null) return notCollected;

    const name = describeResource(resource);
    const approved = describeApproved(context.owner, context.now);
    const locations = locationsOf(resource);
    const judgements = locations.map((location) => ({
      ...location,
      ...judgeLocation(resource, location.value, context.owner, context.now),
    }));
    const evidence: Evidence[] = judgements.map((j) =>
      j.value === undefined
        ? { path: j.path, expected: `one of: ${approved}` }
        : { path: j.path, actual: j.value, expected: `one of: ${approved}` },
    );
    const describe = (j: (typeof judgements)[number]) =>
      `${j.path} ${formatValue(j.value)}: ${j.text}`;

    const failed = judgements.filter((j) => j.status === "fail");
    if (failed.length > 0) {
      return row(
        "fail",
        `${name} is outside ${context.owner.id}'s approved regions ` +
          `(${failed.map(describe).join("; ")}); expected one of ${approved}`,
        evidence,
      );
    }
    const unreadable = judgements.filter((j) => j.status === "error");
    if (unreadable.length > 0) {
      return row(
        "error",
        `${name} cannot be placed: ${unreadable.map(describe).join("; ")}; ` +
          `expected one of ${approved}`,
        evidence,
      );
    }
    return row(
      "pass",
      `${name} is in approved regions (${judgements.map(describe).join("; ")})`,
      evidence,
    );
  },
};
