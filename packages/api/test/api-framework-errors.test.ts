import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiInstance, createApi } from "../src/index.js";
import { type ApiFixture, startApiFixture } from "./support/api-fixture.js";
import { NOW } from "./support/seed.js";

let fixture: ApiFixture;
let withDashboard: ApiInstance;
const ports = { api: 0, dashboard: 0 };
let port: number;
let admin: string;

async function listen(app: ApiInstance): Promise<number> {
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

beforeAll(async () => {
  fixture = await startApiFixture("api_framework_errors");
  // The same store served with the dashboard, whose catch-all route sees every unmatched path.
  withDashboard = await createApi({
    store: fixture.store,
    policy: fixture.policy,
    logger: pino({ level: "silent" }),
    clock: () => NOW,
    dashboardDir: fileURLToPath(new URL("./data/dashboard/", import.meta.url)),
  });
  ports.api = await listen(fixture.app);
  ports.dashboard = await listen(withDashboard);
  admin = fixture.tokens.admin;
}, 60_000);
afterAll(async () => {
  await withDashboard?.close();
  await fixture?.close();
});

interface RawResponse {
  status: number;
  contentType: string;
  body: string;
}

/**
 * Sends bytes exactly as written, so that no client normalises `..`, re-encodes `%` or trims an
 * oversized header before the server sees it.
 */
function sendRaw(request: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    // The server may close while an oversized request is still being written; what it answered
    // before that is what the test reads.
    socket.on("error", (error) => {
      if (chunks.length === 0) reject(error);
    });
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const [head = "", ...rest] = text.split("\r\n\r\n");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      const contentType = /^content-type: *(.+)$/im.exec(head)?.[1]?.trim() ?? "";
      resolve({ status, contentType, body: rest.join("\r\n\r\n") });
    });
    socket.write(request);
  });
}

function get(target: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const lines = Object.entries({ host: "localhost", connection: "close", ...headers }).map(
    ([name, value]) => `${name}: ${value}`,
  );
  return sendRaw(`GET ${target} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`);
}

function post(target: string, contentType: string, body: string | Buffer): Promise<RawResponse> {
  const length = typeof body === "string" ? Buffer.byteLength(body) : body.length;
  return sendRaw(
    `POST ${target} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n` +
      `authorization: Bearer ${admin}\r\ncontent-type: ${contentType}\r\n` +
      `content-length: ${length}\r\n\r\n${body.toString()}`,
  );
}

/** The project's error answer: JSON holding exactly `{ error: { code, message } }`. */
function expectErrorShape(response: RawResponse, status: number, code: string, message: string) {
  expect(response.status, response.body).toBe(status);
  expect(response.contentType).toMatch(/^application\/json/);
  expect(JSON.parse(response.body)).toEqual({ error: { code, message } });
}

describe.each([
  ["without", "api"],
  ["with", "dashboard"],
] as const)("errors raised before a route runs, %s the dashboard", (_, served) => {
  beforeAll(() => {
    port = ports[served];
  });

  it("answer 431 with the error shape when the headers are too large", async () => {
    const response = await get("/api/v1/me", { "x-padding": "a".repeat(20_000) });
    expectErrorShape(response, 431, "bad_request", "the request headers are too large");
  });

  it("answer 414 with the error shape when a path segment is longer than any id", async () => {
    const response = await get(`/api/v1/findings/${"a".repeat(5000)}`, {
      authorization: `Bearer ${admin}`,
    });
    expectErrorShape(response, 414, "bad_request", "the URL is too long");
  });

  it("answer 400 with the error shape to a path whose percent-encoding is broken", async () => {
    for (const target of ["/api/v1/findings/%E0%A4%A", "/api/v1/%", "/%zz"]) {
      const response = await get(target, { authorization: `Bearer ${admin}` });
      expectErrorShape(response, 400, "bad_request", "the URL is not valid");
    }
  });

  it("answer 400 with the error shape to a request the HTTP parser refuses", async () => {
    const garbage = await sendRaw("NOT A REQUEST\r\n\r\n");
    expectErrorShape(garbage, 400, "bad_request", "the request is not valid HTTP");
    const method = await sendRaw("G=T /api/v1/me HTTP/1.1\r\nhost: localhost\r\n\r\n");
    expectErrorShape(method, 400, "bad_request", "the request is not valid HTTP");
  });

  it("never resolve a path that climbs out of /api, with or without a token", async () => {
    const anonymous = await get("/api/v1/../../etc/passwd");
    expectErrorShape(anonymous, 401, "unauthorized", "a bearer token is required");
    const withToken = await get("/api/v1/../../etc/passwd", { authorization: `Bearer ${admin}` });
    expectErrorShape(withToken, 404, "not_found", "no such route");
    for (const target of ["/api/../etc/passwd", "/api/%2e%2e/%2e%2e/etc/passwd"]) {
      const response = await get(target);
      expectErrorShape(response, 404, "not_found", "no such route");
    }
    for (const target of ["/../../etc/passwd", "/assets/%2e%2e/%2e%2e/package.json"]) {
      const response = await get(target);
      if (served === "api") {
        expectErrorShape(response, 404, "not_found", "no such route");
      } else {
        expectErrorShape(response, 403, "forbidden", "the path is not allowed");
      }
    }
  });

  it("answer 404 with the error shape on unknown /api paths", async () => {
    for (const target of ["/api", "/api/", "/api/v2/findings", "/api/nothing", "/api/docs/x"]) {
      const response = await get(target);
      expectErrorShape(response, 404, "not_found", "no such route");
    }
    const known = await get("/api/v1/nowhere", { authorization: `Bearer ${admin}` });
    expectErrorShape(known, 404, "not_found", "no such route");
  });

  it("answer 415, 400 and 413 with the error shape to bodies the parser refuses", async () => {
    const wrongType = await post("/api/v1/tokens", "application/xml", "<name>x</name>");
    expectErrorShape(wrongType, 415, "bad_request", "the content type is not supported");
    const broken = await post("/api/v1/tokens", "application/json", '{"name": "x", "role":');
    expectErrorShape(broken, 400, "bad_request", "the request body is not valid JSON");
    const empty = await post("/api/v1/tokens", "application/json", "");
    expectErrorShape(empty, 400, "bad_request", "the request body is not valid JSON");
    const large = await post("/api/v1/tokens", "application/json", `"${"a".repeat(1_100_000)}"`);
    expectErrorShape(large, 413, "bad_request", "the request body is too large");
  });
});
