import { describe, expect, it } from "vitest";
import { allowNullInNullableEnums } from "./openapi-nullable.js";

describe("allowNullInNullableEnums", () => {
  it("adds null to nullable enums at any depth and leaves other enums alone", () => {
    const document = {
      components: {
        schemas: {
          Finding: {
            properties: {
              provider: { nullable: true, type: "string", enum: ["azure", "aws"] },
              status: { type: "string", enum: ["pass", "fail"] },
              items: [{ nullable: true, enum: ["a", null] }],
            },
          },
        },
      },
    };
    const fixed = allowNullInNullableEnums(document).components.schemas.Finding.properties;
    expect(fixed.provider.enum).toEqual(["azure", "aws", null]);
    expect(fixed.status.enum).toEqual(["pass", "fail"]);
    expect(fixed.items[0]?.enum).toEqual(["a", null]);
  });
});
