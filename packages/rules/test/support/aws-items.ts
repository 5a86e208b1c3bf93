import { fromConfigItem } from "../../src/canonical/from-config-item.js";
import type { CanonicalResource } from "../../src/model.js";

/** The AWS account the AWS test items belong to. */
export const TEST_AWS_ACCOUNT = "111122223333";

/**
 * An `AWS::EC2::VPC` configuration item as AWS Config records it; `isDefault` is left out when
 * not given, and `status` sets `configurationItemStatus`.
 */
export function vpcItem(
  options: { id?: string; region?: string; isDefault?: unknown; status?: string } = {},
): CanonicalResource {
  const id = options.id ?? "vpc-0a1b2c3d4e5f67890";
  const region = options.region ?? "us-east-1";
  const configuration: Record<string, unknown> = {
    cidrBlock: "10.0.0.0/16",
    state: { value: "available" },
    vpcId: id,
    ownerId: TEST_AWS_ACCOUNT,
    instanceTenancy: "default",
  };
  if (options.isDefault !== undefined) configuration.isDefault = options.isDefault;
  return fromConfigItem({
    version: "1.3",
    accountId: TEST_AWS_ACCOUNT,
    configurationItemStatus: options.status ?? "OK",
    resourceType: "AWS::EC2::VPC",
    resourceId: id,
    arn: `arn:aws:ec2:${region}:${TEST_AWS_ACCOUNT}:vpc/${id}`,
    awsRegion: region,
    availabilityZone: "Regional",
    configuration,
    supplementaryConfiguration: {},
    tags: [],
  });
}
