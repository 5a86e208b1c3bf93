import { describe, expect, it } from "vitest";
import { ownerWith, TEST_NOW } from "../../../test/support/evaluation.js";
import { ownerContextWith } from "../../../test/support/owner-evaluation.js";
import { InventoryIndex } from "../../evaluate/inventory-index.js";
import { accountDedicated } from "./account-dedicated.js";

const SUBSCRIPTION = "00000000-0000-0000-0000-00000000a001";
const AWS_ACCOUNT = "111122223333";

const retail = ownerWith({ id: "retail", accounts: { azure: [SUBSCRIPTION], aws: [AWS_ACCOUNT] } });
const cards = ownerWith({ id: "cards", accounts: { azure: [SUBSCRIPTION], aws: [] } });
const platform = ownerWith({ id: "platform", accounts: { azure: [], aws: [AWS_ACCOUNT] } });

describe("tenancy.account-dedicated", () => {
  it("passes accounts that only their owner lists, with account subjects and types", () => {
    const rows = accountDedicated.evaluate(ownerContextWith({ owner: retail, owners: [retail] }));
    expect(rows.map((r) => [r.subject.resource, r.subject.type, r.status])).toEqual([
      [`/subscriptions/${SUBSCRIPTION}`, "Microsoft.Resources/subscriptions", "pass"],
      [AWS_ACCOUNT, "AWS::::Account", "pass"],
    ]);
    expect(rows[0]?.message).toBe(
      `Azure subscription ${SUBSCRIPTION} has one owner: tenant retail`,
    );
    expect(rows[0]?.evidence).toEqual([
      {
        path: "owners",
        actual: ["retail"],
        expected: "exactly one owner: one tenant or the platform",
      },
    ]);
  });

  it("fails a subscription that two tenants list, naming both", () => {
    const rows = accountDedicated.evaluate(
      ownerContextWith({ owner: cards, owners: [retail, cards] }),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.status).toBe("fail");
    expect(rows[0]?.message).toContain("is listed for tenant retail and tenant cards");
  });

  it("fails an AWS account that a tenant and the platform both list", () => {
    const rows = accountDedicated.evaluate(
      ownerContextWith({ owner: platform, owners: [platform, retail] }),
    );
    expect(rows.map((r) => [r.subject.resource, r.status])).toEqual([[AWS_ACCOUNT, "fail"]]);
    expect(rows[0]?.message).toContain("the platform and tenant retail");
  });

  it("fails every unmapped discovered account, with no owner in the evidence", () => {
    const rows =
      accountDedicated.evaluateUnmapped?.({
        now: TEST_NOW,
        index: new InventoryIndex(),
        discovered: [
          { provider: "azure", account: "00000000-0000-0000-0000-00000000A099" },
          { provider: "aws", account: "444455556666" },
        ],
      }) ?? [];
    expect(
      rows.map((r) => [r.subject.resource, r.subject.subjectKey, r.subject.account, r.status]),
    ).toEqual([
      [
        "/subscriptions/00000000-0000-0000-0000-00000000A099",
        "/subscriptions/00000000-0000-0000-0000-00000000a099",
        "00000000-0000-0000-0000-00000000a099",
        "fail",
      ],
      ["444455556666", "444455556666", "444455556666", "fail"],
    ]);
    expect(rows[1]?.evidence).toEqual([
      { path: "owners", actual: [], expected: "exactly one owner: one tenant or the platform" },
    ]);
  });
});
