import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { policyJsonSchema } from "./json-schema.js";

const COMMITTED = fileURLToPath(new URL("../../schema/policy.schema.json", import.meta.url));

describe("policyJsonSchema", () => {
  it("matches the committed schema (run `pnpm --filter @plumbline/rules schema` when stale)", () => {
    const committed: unknown = JSON.parse(readFileSync(COMMITTED, "utf8"));
    expect(committed).toEqual(policyJsonSchema());
  });

  it("describes the input side: strict objects, required fields and account patterns", () => {
    const schema = policyJsonSchema() as {
      required: string[];
      additionalProperties: boolean;
      properties: {
        tenants: { items: { required: string[]; properties: Record<string, unknown> } };
      };
    };
    const tenant = schema.properties.tenants.items;

    expect(schema.required).toEqual(["version"]);
    expect(schema.additionalProperties).toBe(false);
    expect(tenant.required).toEqual(["id", "accounts", "regions"]);
    expect(tenant.properties.accounts).toMatchObject({
      properties: { aws: { items: { pattern: "^\\d{12}$" } } },
    });
  });
});
