import { describe, expect, it } from "vitest";
import {
  AWS_REGION_NAMES,
  awsGeographyOf,
  canonicalRegion,
  canonicalRegionName,
  dataZoneOf,
  isKnownRegion,
  suggestRegion,
} from "./catalogue.js";

describe("canonicalRegion", () => {
  it("accepts Azure programmatic names in any case", () => {
    expect(canonicalRegion("GermanyWestCentral")).toEqual({
      kind: "region",
      name: "germanywestcentral",
      cloud: "azure",
    });
  });

  it("turns display names into programmatic names", () => {
    expect(canonicalRegion("Sweden Central")).toEqual({
      kind: "region",
      name: "swedencentral",
      cloud: "azure",
    });
    expect(canonicalRegionName("South Central US")).toBe("southcentralus");
    expect(canonicalRegionName("Australia Central 2")).toBe("australiacentral2");
  });

  it("accepts AWS region names", () => {
    expect(canonicalRegion("eu-west-1")).toEqual({
      kind: "region",
      name: "eu-west-1",
      cloud: "aws",
    });
    expect(canonicalRegion("EU-WEST-1")).toEqual({
      kind: "region",
      name: "eu-west-1",
      cloud: "aws",
    });
  });

  it("turns AWS display names into region names", () => {
    expect(canonicalRegion("Europe (Ireland)")).toEqual({
      kind: "region",
      name: "eu-west-1",
      cloud: "aws",
    });
    expect(canonicalRegionName("europe (frankfurt)")).toBe("eu-central-1");
  });

  it("recognises global in any case", () => {
    expect(canonicalRegion("Global")).toEqual({ kind: "global" });
  });

  it("maps a geography location to the regions it covers", () => {
    const europe = canonicalRegion("Europe");
    expect(europe.kind).toBe("geography");
    if (europe.kind !== "geography") return;
    expect(europe.name).toBe("europe");
    expect(europe.regions).toContain("westeurope");
    expect(europe.regions).toContain("swedencentral");
    expect(europe.regions).toContain("switzerlandnorth");
    expect(europe.regions).not.toContain("uksouth");
    expect(europe.regions).not.toContain("eastus");

    const unitedStates = canonicalRegion("United States");
    expect(unitedStates.kind === "geography" && unitedStates.regions).toContain("eastus2");
  });

  it("reports Microsoft test regions and other strings as unknown with the value", () => {
    expect(canonicalRegion("eastus2(stage)")).toEqual({ kind: "unknown", value: "eastus2(stage)" });
    expect(canonicalRegionName("mars-north-1")).toBeNull();
  });

  it("treats missing, null and empty locations as missing", () => {
    expect(canonicalRegion(undefined)).toEqual({ kind: "missing" });
    expect(canonicalRegion(null)).toEqual({ kind: "missing" });
    expect(canonicalRegion("  ")).toEqual({ kind: "missing" });
  });
});

describe("region helpers", () => {
  it("knows regions of both clouds but not geographies or typos", () => {
    expect(isKnownRegion("westeurope")).toBe(true);
    expect(isKnownRegion("West Europe")).toBe(true);
    expect(isKnownRegion("ap-southeast-7")).toBe(true);
    expect(isKnownRegion("europe")).toBe(false);
    expect(isKnownRegion("westeurop")).toBe(false);
  });

  it("suggests the closest name for a typo and nothing for noise", () => {
    expect(suggestRegion("westeurop")).toBe("westeurope");
    expect(suggestRegion("swedencentrl")).toBe("swedencentral");
    expect(suggestRegion("eu-wset-1")).toBe("eu-west-1");
    expect(suggestRegion("zzzzzzzzzzzzzzzzzz")).toBeNull();
  });

  it("places EU member regions in the EU data zone and US regions in the US zone", () => {
    expect(dataZoneOf("swedencentral")).toBe("EU");
    expect(dataZoneOf("West Europe")).toBe("EU");
    expect(dataZoneOf("eastus2")).toBe("US");
    expect(dataZoneOf("switzerlandnorth")).toBeNull();
    expect(dataZoneOf("uksouth")).toBeNull();
    expect(dataZoneOf("japaneast")).toBeNull();
    expect(dataZoneOf("eu-west-1")).toBeNull();
  });

  it("gives the geography of AWS regions", () => {
    expect(awsGeographyOf("eu-central-1")).toBe("eu");
    expect(awsGeographyOf("ap-northeast-1")).toBe("apac");
    expect(awsGeographyOf("il-central-1")).toBe("il");
    expect(awsGeographyOf("mx-central-1")).toBe("mx");
    expect(awsGeographyOf("westeurope")).toBeNull();
  });

  it("lists every commercial AWS region once", () => {
    expect(AWS_REGION_NAMES).toContain("us-east-1");
    expect(AWS_REGION_NAMES).toContain("ap-east-2");
    expect(AWS_REGION_NAMES).not.toContain("us-gov-west-1");
    expect(new Set(AWS_REGION_NAMES).size).toBe(AWS_REGION_NAMES.length);
    expect(AWS_REGION_NAMES).toHaveLength(34);
  });
});
