import { describe, expect, it } from "vitest";
import { href, parseRoute } from "./routing.js";

describe("hash routes", () => {
  it("parses path segments and query values", () => {
    const route = parseRoute("/findings/eyJhIjoxfQ?control=keys.vault-recoverable&status=fail");
    expect(route.segments).toEqual(["findings", "eyJhIjoxfQ"]);
    expect(route.query.get("control")).toBe("keys.vault-recoverable");
    expect(route.query.get("status")).toBe("fail");
  });

  it("reads the bare root as the overview", () => {
    expect(parseRoute("/").segments).toEqual([]);
  });

  it("builds links that leave out empty filters and survive a round trip", () => {
    const link = href(["findings"], { tenant: "retail", control: "", status: "fail,error" });
    expect(link).toBe("#/findings?tenant=retail&status=fail%2Cerror");
    const route = parseRoute(link.slice(1));
    expect(route.query.get("status")).toBe("fail,error");
    expect(route.query.has("control")).toBe(false);
  });

  it("encodes segments so a tenant id with a slash stays one segment", () => {
    expect(parseRoute(href(["dataflow", "a/b"]).slice(1)).segments).toEqual(["dataflow", "a/b"]);
  });
});
