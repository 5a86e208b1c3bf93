import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { queryDatabase } from "@plumbline/testing";
import AjvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import type { Log } from "sarif";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiFixture, bearer, startApiFixture } from "./support/api-fixture.js";

/** The SARIF 2.1.0 schema as published, from the SARIF SDK's package (never copied here). */
const officialSarifSchema = createRequire(import.meta.url).resolve(
  "@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json",
);

let fixture: ApiFixture;
beforeAll(async () => {
  fixture = await startApiFixture("api_exports");
  // A message with every character CSV has to quote.
  await queryDatabase(
    fixture.url,
    `update finding_state set message = 'Vault "kv-wealth", in westeurope,' || chr(10) || 'can lose keys' where control = 'keys.vault-recoverable'`,
  );
}, 60_000);
afterAll(async () => fixture?.close());

async function exportOf(format: string, query = "", secret = fixture.tokens.admin) {
  return fixture.app.inject({ url: `/api/v1/exports/${format}${query}`, headers: bearer(secret) });
}

/** Splits RFC 4180 text into rows of fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if (quoted) {
      if (character === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (character === '"') quoted = false;
      else field += character;
    } else if (character === '"') quoted = true;
    else if (character === ",") {
      row.push(field);
      field = "";
    } else if (character === "\r" && text[index + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      index += 1;
    } else field += character;
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}

describe("exports", () => {
  it("write a CSV with a header and one row per current finding, quoted where needed", async () => {
    const response = await exportOf("csv");
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(response.headers["content-disposition"]).toBe(
      'attachment; filename="plumbline-findings.csv"',
    );
    const rows = parseCsv(response.body);
    const [header, ...lines] = rows;
    expect(header?.slice(0, 8)).toEqual([
      "id",
      "tenant",
      "control",
      "control_title",
      "area",
      "severity",
      "status",
      "resource",
    ]);
    const [count] = await queryDatabase<{ n: number }>(
      fixture.url,
      "select count(*)::int as n from finding_state",
    );
    expect(lines).toHaveLength(count?.n ?? -1);
    expect(lines.every((line) => line.length === header?.length)).toBe(true);
    const vault = lines.find((line) => line[2] === "keys.vault-recoverable");
    expect(vault?.[header?.indexOf("message") ?? -1]).toBe(
      'Vault "kv-wealth", in westeurope,\ncan lose keys',
    );
    const waived = lines.find((line) => line[6] === "waived");
    expect(waived?.[header?.indexOf("waiver_expires") ?? -1]).toBe("2027-03-31");
  });

  it("filter like the list: the same findings in the same order", async () => {
    const query = "?status=fail,error&sort=control";
    const list = (
      await fixture.app.inject({
        url: `/api/v1/findings${query}`,
        headers: bearer(fixture.tokens.admin),
      })
    ).json() as { items: { id: string }[] };
    const exported = JSON.parse((await exportOf("json", query)).body) as { id: string }[];
    expect(exported.map((finding) => finding.id)).toEqual(list.items.map((finding) => finding.id));
    expect(exported).toHaveLength(5);
    const csvIds = parseCsv((await exportOf("csv", query)).body)
      .slice(1)
      .map((line) => line[0]);
    expect(csvIds).toEqual(list.items.map((finding) => finding.id));
    const refused = await exportOf("csv", "?severity=urgent");
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe("bad_request");
  });

  it("write a SARIF 2.1.0 log that validates against the SARIF schema", async () => {
    const response = await exportOf("sarif");
    expect(response.headers["content-type"]).toBe("application/sarif+json; charset=utf-8");
    const log = JSON.parse(response.body) as Log;
    // The SARIF 2.1.0 schema as OASIS publishes it (draft-04), shipped by the SARIF SDK. Its
    // `language` pattern has a stray `]` that only a non-Unicode regular expression accepts.
    const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(officialSarifSchema, "utf8")));
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);

    const run = log.runs[0];
    const results = run?.results ?? [];
    expect(results).toHaveLength(9);
    const rules = run?.tool.driver.rules ?? [];
    for (const result of results) {
      expect(rules[result.ruleIndex ?? -1]?.id).toBe(result.ruleId);
      // SARIF: a result whose kind is not `fail` must have level `none`.
      if (result.kind !== "fail") expect(result.level).toBe("none");
    }
    const vault = results.find((result) => result.ruleId === "keys.vault-recoverable");
    expect(vault).toMatchObject({ kind: "fail", level: "error" });
    const waived = results.find((result) => result.suppressions !== undefined);
    expect(waived?.suppressions?.[0]).toMatchObject({ kind: "external", status: "accepted" });
    expect(results.find((r) => r.properties?.status === "error")?.kind).toBe("review");

    // The validator is not a rubber stamp: a wrong level and a missing message are refused.
    const broken = structuredClone(log) as unknown as {
      runs: { results: Record<string, unknown>[] }[];
    };
    const first = broken.runs[0]?.results[0];
    if (first !== undefined) {
      first.level = "fatal";
      delete first.message;
    }
    expect(validate(broken)).toBe(false);
  });

  it("write OCSF 1.3 Compliance Finding events (class 2003)", async () => {
    const events = JSON.parse((await exportOf("ocsf")).body) as Record<string, unknown>[];
    expect(events).toHaveLength(9);
    for (const event of events) {
      expect(event).toMatchObject({
        category_uid: 2,
        class_uid: 2003,
        activity_id: 1,
        type_uid: 200301,
        metadata: { version: "1.3.0", product: { name: "Plumbline" } },
      });
      expect(typeof event.time).toBe("number");
      expect(event.severity_id).toBeGreaterThanOrEqual(2);
      expect(event.finding_info).toMatchObject({
        uid: expect.any(String),
        title: expect.any(String),
      });
    }
    const vault = events.find(
      (event) => (event.compliance as { control: string }).control === "keys.vault-recoverable",
    );
    expect(vault).toMatchObject({
      severity_id: 5,
      status_id: 1,
      compliance: { status_id: 3, status: "Fail" },
      cloud: { provider: "Azure", account: { uid: "00000000-0000-0000-0000-00000000a002" } },
    });
    const standards = (vault?.compliance as { standards?: string[] } | undefined)?.standards;
    expect(standards?.length ?? 0).toBeGreaterThan(0);
  });

  it("stream every row of a large estate", async () => {
    await queryDatabase(
      fixture.url,
      `insert into finding_state (tenant, control, subject_key, resource, provider, account, type, region, status, severity, message, evidence, first_seen, status_since, last_evaluated_at)
       select 'retail', 'identity.local-auth-disabled', 'key-' || n, '/subscriptions/x/' || n, 'azure', '00000000-0000-0000-0000-00000000a001', 't', 'westeurope', 'pass', 'low', 'ok', '[]'::jsonb, now(), now(), now()
       from generate_series(1, 1200) as n`,
    );
    const rows = parseCsv((await exportOf("csv", "?control=identity.local-auth-disabled")).body);
    expect(rows).toHaveLength(1201);
    expect(new Set(rows.slice(1).map((row) => row[0])).size).toBe(1200);
    const sarif = JSON.parse((await exportOf("sarif", "?tenant=retail")).body) as Log;
    expect(sarif.runs[0]?.results).toHaveLength(1205);
  });
});
