import { isJsonObject, type JsonObject } from "../estate.js";
import { AwsServiceError } from "./aws-protocol.js";
import type { AwsCallContext, AwsOperationHandler } from "./config-service.js";

const firewallType = "AWS::NetworkFirewall::Firewall";

/** The Network Firewall operations served, by name. */
export const networkFirewallOperations: Record<string, AwsOperationHandler> = {
  DescribeLoggingConfiguration: describeLoggingConfiguration,
};

/**
 * Answers from the estate's `AWS::NetworkFirewall::LoggingConfiguration` documents; a firewall
 * that Config knows but that has no such document has an empty logging configuration.
 */
function describeLoggingConfiguration(input: JsonObject, context: AwsCallContext): JsonObject {
  const firewallArn = resolveFirewallArn(input, context);
  context.applyFaults(1);

  const { accountId, region } = context.caller;
  const logging = context.estate.aws.firewallLogging.find(
    (item) =>
      item.accountId === accountId &&
      item.awsRegion === region &&
      item.document.configuration !== undefined &&
      isJsonObject(item.document.configuration) &&
      item.document.configuration.FirewallArn === firewallArn,
  );
  const configuration = logging?.document.configuration;
  const loggingConfiguration =
    isJsonObject(configuration) && isJsonObject(configuration.LoggingConfiguration)
      ? configuration.LoggingConfiguration
      : { LogDestinationConfigs: [] };
  return { FirewallArn: firewallArn, LoggingConfiguration: loggingConfiguration };
}

function resolveFirewallArn(input: JsonObject, context: AwsCallContext): string {
  const { FirewallArn: arn, FirewallName: name } = input;
  if (typeof arn !== "string" && typeof name !== "string") {
    throw new AwsServiceError(
      400,
      "InvalidRequestException",
      "FirewallArn or FirewallName is required",
    );
  }

  const { accountId, region } = context.caller;
  const known = [
    ...context.estate.aws.firewallLogging
      .filter((item) => item.accountId === accountId && item.awsRegion === region)
      .map((item) =>
        isJsonObject(item.document.configuration)
          ? item.document.configuration.FirewallArn
          : undefined,
      ),
    ...context.estate.aws.items
      .filter(
        (item) =>
          item.accountId === accountId &&
          item.awsRegion === region &&
          item.resourceType === firewallType,
      )
      .map((item) => item.document.arn),
  ].filter((value): value is string => typeof value === "string");

  const found =
    typeof arn === "string"
      ? known.find((candidate) => candidate === arn)
      : known.find((candidate) => candidate.endsWith(`:firewall/${name}`));
  if (found === undefined) {
    throw new AwsServiceError(
      400,
      "ResourceNotFoundException",
      `Firewall ${typeof arn === "string" ? arn : name} was not found`,
    );
  }
  return found;
}
