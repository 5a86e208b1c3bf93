import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiFixture, bearer, startApiFixture } from "./support/api-fixture.js";
import { openApiStructureSchema } from "./support/openapi-structure.js";

let fixture: ApiFixture;
let document: {
  openapi: string;
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
  components: { schemas: Record<string, object> };
};

beforeAll(async () => {
  fixture = await startApiFixture("api_openapi");
  document = (await fixture.app.inject({ url: "/api/docs/openapi.json" })).json();
}, 60_000);
afterAll(async () => fixture?.close());

/** JSON Schema keywords that OpenAPI 3.0 schema objects do not have (3.1 / draft 2019+). */
const NOT_IN_OPENAPI_30 = [
  "const",
  "$defs",
  "prefixItems",
  "unevaluatedProperties",
  "examples",
  "$schema",
];

function collectKeys(value: unknown, found: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const item of value) collectKeys(item, found);
  else if (typeof value === "object" && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if (key !== "properties") found.add(key);
      collectKeys(child, found);
    }
  }
  return found;
}

/** What the validator takes: a parsed OpenAPI document. */
type OpenApiInput = Parameters<Validator["validate"]>[0];

describe("the OpenAPI document", () => {
  it("validates against the OpenAPI 3.0 schema", async () => {
    const result = await new Validator().validate(structuredClone(document) as OpenApiInput);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);

    // The validator is not a rubber stamp: an operation without responses is refused.
    const broken = structuredClone(document) as { paths: Record<string, Record<string, object>> };
    const [, operations] = Object.entries(broken.paths)[0] ?? [];
    const [method] = Object.keys(operations ?? {});
    if (operations !== undefined && method !== undefined) {
      operations[method] = { summary: "no responses" };
    }
    expect((await new Validator().validate(broken as OpenApiInput)).valid).toBe(false);
  });

  it("has the OpenAPI 3.0 structure, and every schema in it compiles", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(openApiStructureSchema);
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
    expect(document.openapi).toBe("3.0.3");

    const keys = collectKeys(document.components.schemas, new Set());
    for (const paths of Object.values(document.paths)) collectKeys(paths, keys);
    for (const keyword of NOT_IN_OPENAPI_30) expect(keys.has(keyword), keyword).toBe(false);
    // OpenAPI 3.0 spells optional values `nullable: true`, never `type: "null"` or a type list.
    expect(JSON.stringify(document)).not.toMatch(/"type":\s*(\[|"null")/);

    ajv.addSchema({ components: document.components }, "openapi.json");
    const text = JSON.stringify(document).replaceAll(
      '"#/components/',
      '"openapi.json#/components/',
    );
    const resolved = JSON.parse(text) as typeof document;
    for (const [path, operations] of Object.entries(resolved.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, answer] of Object.entries(operation.responses)) {
          const schema = answer.content?.["application/json"]?.schema;
          if (schema !== undefined) {
            expect(() => ajv.compile(schema), `${method} ${path} ${status}`).not.toThrow();
          }
        }
      }
    }
  });

  it("lists every route the API serves, and nothing it does not", () => {
    const served = fixture.app
      .printRoutes({ commonPrefix: false })
      .split("\n")
      .filter((line) => line.includes("/api/v1"));
    expect(served.length).toBeGreaterThan(0);
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(
      [
        "GET /api/v1/me",
        "GET /api/v1/tenants",
        "GET /api/v1/posture",
        "GET /api/v1/findings",
        "GET /api/v1/findings/{id}",
        "GET /api/v1/resources",
        "GET /api/v1/resources/{ref}",
        "GET /api/v1/resources/{ref}/snapshots/{snapshotId}",
        "GET /api/v1/resources/{ref}/diff",
        "GET /api/v1/drift",
        "GET /api/v1/controls",
        "GET /api/v1/controls/{id}",
        "GET /api/v1/waivers",
        "GET /api/v1/scans",
        "POST /api/v1/scans",
        "GET /api/v1/scans/{id}",
        "GET /api/v1/dataflow/{tenant}",
        "GET /api/v1/notifications",
        "POST /api/v1/notifications/{channel}/reset",
        "GET /api/v1/exports/{format}",
        "GET /api/v1/tokens",
        "POST /api/v1/tokens",
        "DELETE /api/v1/tokens/{id}",
        "GET /api/v1/access-log",
        "GET /healthz",
        "GET /readyz",
      ].sort(),
    );
    for (const route of documented.filter((route) => route.includes("/api/v1"))) {
      const [method, path] = route.split(" ") as [string, string];
      const fastifyPath = path.replace(/\{(\w+)\}/g, ":$1");
      expect(fixture.app.hasRoute({ method: method as "GET", url: fastifyPath }), route).toBe(true);
    }
  });

  it("describes what the read routes really answer", async () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addSchema({ components: document.components }, "openapi.json");
    const text = JSON.stringify(document).replaceAll(
      '"#/components/',
      '"openapi.json#/components/',
    );
    const resolved = JSON.parse(text) as typeof document;
    const findings = (
      await fixture.app.inject({
        url: "/api/v1/findings?limit=1&area=network",
        headers: bearer(fixture.tokens.admin),
      })
    ).json();
    const resources = (
      await fixture.app.inject({
        url: "/api/v1/resources?provider=azure",
        headers: bearer(fixture.tokens.admin),
      })
    ).json();
    const urls: Record<string, string> = {
      "/api/v1/me": "/api/v1/me",
      "/api/v1/tenants": "/api/v1/tenants",
      "/api/v1/posture": "/api/v1/posture",
      "/api/v1/findings": "/api/v1/findings",
      "/api/v1/findings/{id}": `/api/v1/findings/${findings.items[0].id}`,
      "/api/v1/resources": "/api/v1/resources",
      "/api/v1/resources/{ref}": `/api/v1/resources/${resources.items[0].ref}`,
      "/api/v1/resources/{ref}/diff": `/api/v1/resources/${resources.items[0].ref}/diff`,
      "/api/v1/drift": "/api/v1/drift",
      "/api/v1/controls": "/api/v1/controls",
      "/api/v1/waivers": "/api/v1/waivers",
      "/api/v1/scans": "/api/v1/scans",
      "/api/v1/scans/{id}": `/api/v1/scans/${fixture.scanIds.second}`,
      "/api/v1/dataflow/{tenant}": "/api/v1/dataflow/retail",
      "/api/v1/notifications": "/api/v1/notifications",
      "/api/v1/tokens": "/api/v1/tokens",
      "/api/v1/access-log": "/api/v1/access-log",
    };
    for (const [path, url] of Object.entries(urls)) {
      const schema =
        resolved.paths[path]?.get?.responses["200"]?.content?.["application/json"]?.schema;
      expect(schema, path).toBeDefined();
      const response = await fixture.app.inject({ url, headers: bearer(fixture.tokens.admin) });
      expect(response.statusCode, url).toBe(200);
      const validate = ajv.compile(schema as object);
      expect(validate(response.json()), `${url}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });
});
