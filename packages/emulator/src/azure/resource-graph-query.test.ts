import { describe, expect, it } from "vitest";
import { parseGraphQuery, runGraphQuery, UnsupportedQueryError } from "./resource-graph-query.js";

const rows = [
  {
    id: "/s/b",
    name: "b",
    type: "microsoft.keyvault/vaults",
    subscriptionId: "S1",
    properties: {},
  },
  {
    id: "/s/a",
    name: "a",
    type: "microsoft.storage/storageaccounts",
    subscriptionId: "s2",
    properties: {},
  },
  {
    id: "/s/c",
    name: "c",
    type: "microsoft.keyvault/vaults",
    subscriptionId: "s2",
    properties: {},
  },
];

describe("parseGraphQuery and runGraphQuery", () => {
  it("filters by type without regard to case", () => {
    const query = parseGraphQuery("Resources | where type =~ 'Microsoft.KeyVault/vaults'");

    expect(runGraphQuery(query, rows).map((row) => row.name)).toEqual(["b", "c"]);
  });

  it("filters with in~ and projects the named columns in order", () => {
    const query = parseGraphQuery(
      "resources | where subscriptionId in~ ('s1', \"S2\") | where type in~ ('microsoft.storage/storageaccounts') | project name, id",
    );

    expect(runGraphQuery(query, rows)).toEqual([{ name: "a", id: "/s/a" }]);
    expect(query.columns).toEqual(["name", "id"]);
  });

  it("sorts descending by default, as KQL does, and ascending when asked", () => {
    const descending = parseGraphQuery("resources | order by id");
    const ascending = parseGraphQuery("resources | order by id asc | project id");

    expect(runGraphQuery(descending, rows).map((row) => row.id)).toEqual(["/s/c", "/s/b", "/s/a"]);
    expect(runGraphQuery(ascending, rows)).toEqual([
      { id: "/s/a" },
      { id: "/s/b" },
      { id: "/s/c" },
    ]);
  });

  it.each([
    "securityresources",
    "resources | where name contains 'x'",
    "resources | where properties =~ 'x'",
    "resources | project id | where type =~ 'x'",
    "resources | summarize count() by type",
    "resources | extend x = 1",
    "resources | project",
    "resources | where type == 'x'",
  ])("refuses %s", (query) => {
    expect(() => parseGraphQuery(query)).toThrow(UnsupportedQueryError);
  });
});
