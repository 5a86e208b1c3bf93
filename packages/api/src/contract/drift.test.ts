import { driftEventKinds } from "@plumbline/rules";
import { describe, expect, it } from "vitest";
import { DRIFT_KINDS } from "./drift.js";

describe("the drift contract", () => {
  it("offers every kind of event the store records, in the rules' order", () => {
    expect([...DRIFT_KINDS]).toEqual([...driftEventKinds]);
  });
});
