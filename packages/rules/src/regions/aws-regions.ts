/**
 * The regions of the AWS commercial partition (`aws`), from the SDK partition metadata of 2026.
 * GovCloud, China and the isolated partitions are not part of the catalogue.
 */

/** Broad AWS geography, the first segment of the region name (`ap` is reported as `apac`). */
export type AwsGeography = "af" | "apac" | "ca" | "eu" | "il" | "me" | "mx" | "sa" | "us";

/** One AWS region. */
export interface AwsRegion {
  /** Region name, e.g. `eu-west-1`. */
  name: string;
  /** Description as the SDK metadata gives it, e.g. `Europe (Ireland)`. */
  displayName: string;
  geography: AwsGeography;
}

function region(name: string, displayName: string, geography: AwsGeography): AwsRegion {
  return { name, displayName, geography };
}

export const AWS_REGIONS: readonly AwsRegion[] = [
  region("af-south-1", "Africa (Cape Town)", "af"),
  region("ap-east-1", "Asia Pacific (Hong Kong)", "apac"),
  region("ap-east-2", "Asia Pacific (Taipei)", "apac"),
  region("ap-northeast-1", "Asia Pacific (Tokyo)", "apac"),
  region("ap-northeast-2", "Asia Pacific (Seoul)", "apac"),
  region("ap-northeast-3", "Asia Pacific (Osaka)", "apac"),
  region("ap-south-1", "Asia Pacific (Mumbai)", "apac"),
  region("ap-south-2", "Asia Pacific (Hyderabad)", "apac"),
  region("ap-southeast-1", "Asia Pacific (Singapore)", "apac"),
  region("ap-southeast-2", "Asia Pacific (Sydney)", "apac"),
  region("ap-southeast-3", "Asia Pacific (Jakarta)", "apac"),
  region("ap-southeast-4", "Asia Pacific (Melbourne)", "apac"),
  region("ap-southeast-5", "Asia Pacific (Malaysia)", "apac"),
  region("ap-southeast-6", "Asia Pacific (New Zealand)", "apac"),
  region("ap-southeast-7", "Asia Pacific (Thailand)", "apac"),
  region("ca-central-1", "Canada (Central)", "ca"),
  region("ca-west-1", "Canada West (Calgary)", "ca"),
  region("eu-central-1", "Europe (Frankfurt)", "eu"),
  region("eu-central-2", "Europe (Zurich)", "eu"),
  region("eu-north-1", "Europe (Stockholm)", "eu"),
  region("eu-south-1", "Europe (Milan)", "eu"),
  region("eu-south-2", "Europe (Spain)", "eu"),
  region("eu-west-1", "Europe (Ireland)", "eu"),
  region("eu-west-2", "Europe (London)", "eu"),
  region("eu-west-3", "Europe (Paris)", "eu"),
  region("il-central-1", "Israel (Tel Aviv)", "il"),
  region("me-central-1", "Middle East (UAE)", "me"),
  region("me-south-1", "Middle East (Bahrain)", "me"),
  region("mx-central-1", "Mexico (Central)", "mx"),
  region("sa-east-1", "South America (Sao Paulo)", "sa"),
  region("us-east-1", "US East (N. Virginia)", "us"),
  region("us-east-2", "US East (Ohio)", "us"),
  region("us-west-1", "US West (N. California)", "us"),
  region("us-west-2", "US West (Oregon)", "us"),
];
