import { describe, expect, it } from "vitest";
import { classifyError, StoreError, toStoreError } from "./store-error.js";

/** An error shaped like the ones drizzle throws: its own message quotes the SQL. */
function wrapAsDrizzleFailure(driverError: Error): Error {
  return new Error('Failed query: insert into "findings" values ($1)\nparams: secret', {
    cause: driverError,
  });
}

function makeDriverError(code: string, message = "driver failure"): Error {
  return Object.assign(new Error(message), { code });
}

describe("classifyError", () => {
  it.each([
    ["23505", "conflict"],
    ["21000", "conflict"],
    ["40P01", "conflict"],
    ["23503", "not-found"],
    ["08006", "connection"],
    ["28P01", "connection"],
    ["3D000", "connection"],
    ["57P01", "connection"],
    ["ECONNREFUSED", "connection"],
    ["42P01", "unknown"],
  ])("sorts a driver error with code %s into %s through drizzle's wrapper", (code, kind) => {
    expect(classifyError(wrapAsDrizzleFailure(makeDriverError(code)))).toBe(kind);
  });

  it("treats a dropped connection without a code as a connection failure", () => {
    expect(classifyError(new Error("Connection terminated unexpectedly"))).toBe("connection");
  });

  it("keeps the kind of an error that is already a StoreError", () => {
    expect(classifyError(new StoreError("migration", "apply database migrations"))).toBe(
      "migration",
    );
  });
});

describe("toStoreError", () => {
  it("names the operation and kind but never the SQL, which stays in the cause", () => {
    const original = wrapAsDrizzleFailure(makeDriverError("23505"));

    const error = toStoreError(original, "write findings");

    expect(error.message).toBe(
      "Could not write findings: the data conflicts with itself or with what is stored.",
    );
    expect(error.message).not.toContain("insert");
    expect(error.cause).toBe(original);
  });

  it("uses the fallback kind only for errors it cannot sort", () => {
    expect(toStoreError(makeDriverError("42P01"), "apply migrations", "migration").kind).toBe(
      "migration",
    );
    expect(toStoreError(makeDriverError("08001"), "apply migrations", "migration").kind).toBe(
      "connection",
    );
  });
});
