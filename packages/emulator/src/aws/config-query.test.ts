import { describe, expect, it } from "vitest";
import {
  groupItems,
  InvalidExpressionError,
  parseConfigQuery,
  projectItem,
} from "./config-query.js";

describe("parseConfigQuery", () => {
  it("reads fields, a single type and keywords in any case", () => {
    const query = parseConfigQuery(
      "select resourceId, configuration.keyState Where resourceType = 'AWS::KMS::Key'",
    );

    expect(query).toEqual({
      fields: [
        { kind: "path", name: "resourceId", path: ["resourceId"] },
        { kind: "path", name: "configuration.keyState", path: ["configuration", "keyState"] },
      ],
      resourceTypes: ["AWS::KMS::Key"],
      groupBy: undefined,
    });
  });

  it("reads a list of types after IN", () => {
    const query = parseConfigQuery(
      "SELECT arn WHERE resourceType IN ('AWS::S3::Bucket','AWS::KMS::Key' )",
    );

    expect(query.resourceTypes).toEqual(["AWS::S3::Bucket", "AWS::KMS::Key"]);
  });

  it("reads COUNT(*) with GROUP BY", () => {
    const query = parseConfigQuery("SELECT accountId, COUNT(*) GROUP BY accountId");

    expect(query.groupBy).toBe("accountId");
    expect(query.fields.map((field) => field.name)).toEqual(["accountId", "COUNT(*)"]);
  });

  it.each([
    "SELECT *",
    "SELECT resourceId WHERE resourceName = 'x'",
    "SELECT resourceId WHERE resourceType = 'a' AND resourceType = 'b'",
    "SELECT resourceId, COUNT(*)",
    "SELECT resourceId GROUP BY accountId",
    "SELECT resourceId WHERE resourceType = 'unterminated",
    "SELECT",
    "DELETE resourceId",
  ])("refuses %s", (expression) => {
    expect(() => parseConfigQuery(expression)).toThrow(InvalidExpressionError);
  });
});

describe("projectItem", () => {
  const item = {
    resourceId: "k1",
    configuration: {
      keyState: "Enabled",
      keyManager: "CUSTOMER",
      tags: [{ key: "a" }, { key: "b" }],
    },
  };

  it("nests dotted fields and merges siblings under one parent", () => {
    const query = parseConfigQuery(
      "SELECT configuration.keyState, resourceId, configuration.keyManager",
    );

    expect(projectItem(item, query.fields)).toEqual({
      configuration: { keyState: "Enabled", keyManager: "CUSTOMER" },
      resourceId: "k1",
    });
  });

  it("leaves absent fields out and projects through lists element by element", () => {
    const query = parseConfigQuery("SELECT arn, configuration.tags.key");

    expect(projectItem(item, query.fields)).toEqual({
      configuration: { tags: { key: ["a", "b"] } },
    });
  });
});

describe("groupItems", () => {
  it("counts items per distinct value", () => {
    const query = parseConfigQuery("SELECT accountId, COUNT(*) GROUP BY accountId");
    const rows = groupItems([{ accountId: "1" }, { accountId: "2" }, { accountId: "1" }], query);

    expect(rows).toEqual([
      { accountId: "1", "COUNT(*)": 2 },
      { accountId: "2", "COUNT(*)": 1 },
    ]);
  });

  it("counts everything in one row without GROUP BY", () => {
    const query = parseConfigQuery("SELECT COUNT(*) WHERE resourceType = 'AWS::S3::Bucket'");

    expect(groupItems([{}, {}, {}], query)).toEqual([{ "COUNT(*)": 3 }]);
  });
});
