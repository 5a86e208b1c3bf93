import { describe, expect, it } from "vitest";
import {
  bearerSecret,
  generateTokenSecret,
  hashTokenSecret,
  TOKEN_PREFIX,
} from "./token-secret.js";

describe("token secrets", () => {
  it("carry the prefix and at least 32 random bytes in base64url", () => {
    const secret = generateTokenSecret();
    expect(secret.startsWith(TOKEN_PREFIX)).toBe(true);
    const body = secret.slice(TOKEN_PREFIX.length);
    expect(body).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(body, "base64url").length).toBeGreaterThanOrEqual(32);
    expect(generateTokenSecret()).not.toBe(secret);
  });

  it("hash to the hex SHA-256 of the whole secret", () => {
    expect(hashTokenSecret("plb_abc")).toBe(
      "f2eaec3f537528d207155f2209a6e481084836cc585cc4678b80eac16d4d206d",
    );
    expect(hashTokenSecret("plb_abc")).toMatch(/^[0-9a-f]{64}$/);
    expect(hashTokenSecret("plb_abc")).not.toBe(hashTokenSecret("plb_abd"));
  });

  it("are read from a bearer header only", () => {
    expect(bearerSecret("Bearer plb_x")).toBe("plb_x");
    expect(bearerSecret("bearer  plb_x ")).toBe("plb_x");
    expect(bearerSecret("Basic abc")).toBeNull();
    expect(bearerSecret(undefined)).toBeNull();
    expect(bearerSecret("Bearer a b")).toBeNull();
  });
});
