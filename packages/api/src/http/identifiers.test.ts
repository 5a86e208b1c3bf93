import { describe, expect, it } from "vitest";
import { ApiError } from "../errors.js";
import {
  decodeCursor,
  decodeFindingId,
  decodeResourceRef,
  encodeCursor,
  encodeFindingId,
  encodeResourceRef,
  enumValues,
  listValues,
} from "./identifiers.js";

describe("finding ids", () => {
  it("are base64url of the JSON identity and decode back, null tenants included", () => {
    const identity = { tenant: null, control: "keys.ai-cmk", subjectKey: "/subscriptions/a/x" };
    const id = encodeFindingId(identity);
    expect(id).toBe(
      Buffer.from(JSON.stringify([null, "keys.ai-cmk", "/subscriptions/a/x"])).toString(
        "base64url",
      ),
    );
    expect(decodeFindingId(id)).toEqual(identity);
  });

  it("refuse text that is not an encoded identity", () => {
    expect(decodeFindingId("not json!")).toBeNull();
    expect(decodeFindingId(Buffer.from('["a","b"]').toString("base64url"))).toBeNull();
    expect(decodeFindingId(Buffer.from("[1,2,3]").toString("base64url"))).toBeNull();
  });
});

describe("resource refs", () => {
  it("round-trip a provider and key with slashes", () => {
    const ref = encodeResourceRef({ provider: "aws", key: "arn:aws:s3:::bucket/x" });
    expect(ref).not.toContain("/");
    expect(decodeResourceRef(ref)).toEqual({ provider: "aws", key: "arn:aws:s3:::bucket/x" });
    expect(decodeResourceRef(encodeResourceRef({ provider: "aws", key: "k" }).slice(2))).toBeNull();
  });
});

describe("cursors", () => {
  it("carry the sort values of one list and order only", () => {
    const cursor = encodeCursor("findings:severity", [0, "retail", "keys.ai-cmk", "k"]);
    expect(decodeCursor("findings:severity", cursor, 4)).toEqual([0, "retail", "keys.ai-cmk", "k"]);
    expect(() => decodeCursor("findings:control", cursor, 4)).toThrow(ApiError);
    expect(() => decodeCursor("findings:severity", "%%%", 4)).toThrow(ApiError);
  });
});

describe("filter values", () => {
  it("split comma lists, dropping blanks and repeats", () => {
    expect(listValues(" a, b,,a ")).toEqual(["a", "b"]);
    expect(listValues(" , ")).toBeUndefined();
    expect(listValues(undefined)).toBeUndefined();
  });

  it("refuse a value outside the allowed set with a bad request", () => {
    expect(enumValues("status", "fail,pass", ["pass", "fail"])).toEqual(["fail", "pass"]);
    expect(() => enumValues("status", "fail,broken", ["pass", "fail"])).toThrow(/broken/);
  });
});
