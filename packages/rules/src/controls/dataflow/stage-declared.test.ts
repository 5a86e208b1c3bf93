import { describe, expect, it } from "vitest";
import { dataflowPolicy, policyContext } from "../../../test/support/dataflow-policy.js";
import { stageDeclared } from "./stage-declared.js";

const policy = dataflowPolicy([
  '      model-call: { resources: ["*/accounts/oai-retail-*"] }',
  "      retrieval: { tags: { plumbline-stage: retrieval } }",
  '      audit-trail: { resources: ["arn:aws:s3:::retail-audit-*"] }',
]);

describe("dataflow.stage-declared", () => {
  it("passes declared stages and fails the others, one row per stage of the six", () => {
    const rows = stageDeclared.evaluate(policyContext(policy, "retail", [], []));
    expect(rows.map((r) => [r.subject.resource, r.status])).toEqual([
      ["tenant/retail/dataflow/prompt-composition", "fail"],
      ["tenant/retail/dataflow/retrieval", "pass"],
      ["tenant/retail/dataflow/model-call", "pass"],
      ["tenant/retail/dataflow/response-logging", "fail"],
      ["tenant/retail/dataflow/tool-calls", "fail"],
      ["tenant/retail/dataflow/audit-trail", "pass"],
    ]);
  });

  it("gives stage rows no provider, account, region or type, and evidence of the selector", () => {
    const rows = stageDeclared.evaluate(policyContext(policy, "retail", [], []));
    expect(rows[0]?.subject).toEqual({
      resource: "tenant/retail/dataflow/prompt-composition",
      subjectKey: "tenant/retail/dataflow/prompt-composition",
      provider: null,
      account: null,
      type: null,
      region: null,
    });
    expect(rows[0]?.message).toBe(
      "Tenant retail's data-flow map does not declare stage prompt-composition; expected all six stages declared",
    );
    expect(rows[0]?.evidence).toEqual([
      {
        path: "tenants[retail].dataflow.prompt-composition",
        expected: "a selector: resource globs, tags or both",
      },
    ]);
    expect(rows[1]?.evidence[0]?.actual).toEqual({
      resources: [],
      tags: { "plumbline-stage": "retrieval" },
    });
  });

  it("fails all six stages of a tenant without a data-flow map", () => {
    const rows = stageDeclared.evaluate(policyContext(dataflowPolicy([]), "retail", [], []));
    expect(rows.map((r) => r.status)).toEqual(Array(6).fill("fail"));
  });

  it("judges no stage of the platform, which has no data-flow map", () => {
    expect(stageDeclared.evaluate(policyContext(policy, "platform", [], []))).toEqual([]);
  });
});
