export { AWS_REGIONS, type AwsGeography, type AwsRegion } from "./aws-regions.js";
export {
  AZURE_GEOGRAPHIES,
  AZURE_REGIONS,
  type AzureGeography,
  type AzureRegion,
  type DataZone,
} from "./azure-regions.js";
export {
  AWS_REGION_NAMES,
  AZURE_REGION_NAMES,
  awsGeographyOf,
  azureRegionOf,
  type CanonicalRegion,
  canonicalRegion,
  canonicalRegionName,
  dataZoneOf,
  isKnownGeography,
  isKnownRegion,
  type RegionCloud,
  suggestRegion,
} from "./catalogue.js";
