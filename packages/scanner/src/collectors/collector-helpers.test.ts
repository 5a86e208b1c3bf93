import { fromConfigItem } from "@plumbline/rules";
import { describe, expect, it } from "vitest";
import {
  batchItemToWireForm,
  buildSelectExpression,
  parseSelectRow,
} from "./aws-config-queries.js";
import { parseQuotaDuration, parseRetryAfter } from "./azure-quota.js";
import { describeError } from "./errors.js";
import { findFirewallTarget } from "./firewall-logging.js";

describe("parseQuotaDuration", () => {
  it("reads Resource Graph's hh:mm:ss into milliseconds", () => {
    expect(parseQuotaDuration("00:00:05")).toBe(5000);
    expect(parseQuotaDuration("01:02:03")).toBe(3_723_000);
    expect(parseQuotaDuration("00:00:01.25")).toBe(1250);
  });

  it("gives undefined for anything that is not such a duration", () => {
    expect(parseQuotaDuration(undefined)).toBeUndefined();
    expect(parseQuotaDuration("5")).toBeUndefined();
    expect(parseQuotaDuration("soon")).toBeUndefined();
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates relative to now", () => {
    const now = Date.parse("2026-12-03T10:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("Thu, 03 Dec 2026 10:00:07 GMT", now)).toBe(7000);
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter("later", now)).toBeUndefined();
  });
});

describe("buildSelectExpression", () => {
  it("selects every configuration item field of the quoted types", () => {
    expect(buildSelectExpression(["AWS::S3::Bucket", "AWS::KMS::Key"])).toBe(
      "SELECT version, accountId, configurationItemCaptureTime, configurationItemStatus, " +
        "configurationStateId, arn, resourceType, resourceId, resourceName, awsRegion, " +
        "availabilityZone, tags, relationships, configuration, supplementaryConfiguration " +
        "WHERE resourceType IN ('AWS::S3::Bucket', 'AWS::KMS::Key')",
    );
  });

  it("doubles a quote inside a type name", () => {
    expect(buildSelectExpression(["it's"])).toContain("IN ('it''s')");
  });
});

describe("parseSelectRow", () => {
  it("keeps JSON objects and refuses everything else", () => {
    expect(parseSelectRow('{"resourceId":"a"}')).toEqual({ resourceId: "a" });
    expect(parseSelectRow("[1]")).toBeNull();
    expect(parseSelectRow('{"resourceId":')).toBeNull();
  });
});

describe("batchItemToWireForm", () => {
  it("turns SDK dates back into ISO strings and drops undefined fields", () => {
    const item = {
      resourceId: "gr-1",
      configurationItemCaptureTime: new Date("2026-10-01T12:00:00.000Z"),
      resourceName: undefined,
      configuration: '{"Name":"gr"}',
    };
    expect(batchItemToWireForm(item)).toEqual({
      resourceId: "gr-1",
      configurationItemCaptureTime: "2026-10-01T12:00:00.000Z",
      configuration: '{"Name":"gr"}',
    });
  });
});

describe("describeError", () => {
  it("puts the status and code of a cloud error before its message", () => {
    const error = Object.assign(new Error("Rate exceeded"), {
      name: "ThrottlingException",
      $metadata: { httpStatusCode: 400 },
    });
    expect(describeError(error)).toBe("400 ThrottlingException: Rate exceeded");
    expect(describeError(new Error("plain   failure\n"))).toBe("plain failure");
  });
});

describe("findFirewallTarget", () => {
  const arn = "arn:aws:network-firewall:eu-west-1:111122223333:firewall/nfw-egress";
  const firewall = {
    accountId: "111122223333",
    awsRegion: "eu-west-1",
    resourceType: "AWS::NetworkFirewall::Firewall",
    resourceId: arn,
    resourceName: "nfw-egress",
    arn,
    configuration: { FirewallName: "nfw-egress", FirewallArn: arn, VpcId: "vpc-1" },
  };

  it("names a firewall by its ARN, account and region as AWS Config recorded them", () => {
    expect(findFirewallTarget(fromConfigItem(firewall))).toEqual({
      account: "111122223333",
      region: "eu-west-1",
      arn,
      name: "nfw-egress",
    });
  });

  it("falls back to the configuration's ARN, then to the name alone", () => {
    const { arn: _arn, ...withoutArn } = firewall;
    expect(findFirewallTarget(fromConfigItem(withoutArn))?.arn).toBe(arn);
    const nameOnly = {
      ...withoutArn,
      resourceId: "e12b4a4a-b754-f8f2-35f5-f2a2fd291bd3",
      configuration: { FirewallName: "nfw-named", VpcId: "vpc-1" },
    };
    expect(findFirewallTarget(fromConfigItem(nameOnly))).toMatchObject({
      arn: null,
      name: "nfw-named",
    });
  });

  it("keeps a region the catalogue does not know, and ignores other types", () => {
    const newRegion = { ...firewall, awsRegion: "eu-future-9" };
    expect(findFirewallTarget(fromConfigItem(newRegion))?.region).toBe("eu-future-9");
    const bucket = { ...firewall, resourceType: "AWS::S3::Bucket" };
    expect(findFirewallTarget(fromConfigItem(bucket))).toBeNull();
  });
});
