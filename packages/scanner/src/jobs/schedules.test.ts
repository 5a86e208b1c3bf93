import { parsePolicy } from "@plumbline/rules";
import { describe, expect, it } from "vitest";
import { desiredSchedules } from "./schedules.js";

function policyOf(extra: string) {
  const text = `
version: 1
platform:
  accounts:
    azure: [00000000-0000-0000-0000-00000000A0FF]
  regions: { allowed: [westeurope] }
tenants:
  - id: retail
    accounts:
      aws: ["111122223333"]
    regions: { allowed: [eu-west-1] }
${extra}`;
  return parsePolicy(text, "plumbline.yaml", { now: new Date("2026-12-01T00:00:00Z") }).policy;
}

describe("desired job schedulers", () => {
  it("schedules every account on the default cron and the round's discovery", () => {
    expect(desiredSchedules(policyOf(""))).toEqual([
      {
        id: "inventory:azure:00000000-0000-0000-0000-00000000a0ff",
        queue: "inventory-azure",
        job: "inventory",
        pattern: "0 * * * *",
        payload: {
          provider: "azure",
          account: "00000000-0000-0000-0000-00000000a0ff",
          trigger: "schedule",
        },
      },
      {
        id: "inventory:aws:111122223333",
        queue: "inventory-aws",
        job: "inventory",
        pattern: "0 * * * *",
        payload: { provider: "aws", account: "111122223333", trigger: "schedule" },
      },
      {
        id: "discover",
        queue: "discover",
        job: "discover",
        pattern: "0 * * * *",
        payload: { trigger: "schedule" },
      },
    ]);
  });

  it("uses an account's own cron over the default, whatever the case of its id", () => {
    const schedules = desiredSchedules(
      policyOf(
        'schedule:\n  cron: "*/30 * * * *"\n  accounts:\n' +
          '    "00000000-0000-0000-0000-00000000A0FF": "0 2 * * *"\n',
      ),
    );
    expect(schedules.map((s) => [s.id, s.pattern])).toEqual([
      ["inventory:azure:00000000-0000-0000-0000-00000000a0ff", "0 2 * * *"],
      ["inventory:aws:111122223333", "*/30 * * * *"],
      ["discover", "*/30 * * * *"],
    ]);
  });

  it("adds a periodic drain of pending alerts only when Slack is configured", () => {
    const schedules = desiredSchedules(
      policyOf("notifications:\n  slack: { webhookUrlEnv: SLACK_WEBHOOK_URL }\n"),
    );
    expect(schedules.at(-1)).toEqual({
      id: "notify:slack",
      queue: "notify",
      job: "notify",
      pattern: "*/5 * * * *",
      payload: { channel: "slack", trigger: "schedule" },
    });
  });
});
