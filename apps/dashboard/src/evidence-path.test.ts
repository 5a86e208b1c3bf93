import { describe, expect, it } from "vitest";
import { excerptAround, parseEvidencePath } from "./evidence-path.js";

describe("parseEvidencePath", () => {
  it("splits dotted steps and array indexes", () => {
    expect(parseEvidencePath("properties.privateEndpointConnections[0].properties.status")).toEqual(
      {
        resource: null,
        steps: ["properties", "privateEndpointConnections", 0, "properties", "status"],
      },
    );
  });

  it("separates the referenced resource before the hash", () => {
    const path =
      "/subscriptions/s/providers/Microsoft.KeyVault/vaults/kv#properties.enableSoftDelete";
    expect(parseEvidencePath(path)).toEqual({
      resource: "/subscriptions/s/providers/Microsoft.KeyVault/vaults/kv",
      steps: ["properties", "enableSoftDelete"],
    });
  });
});

describe("excerptAround", () => {
  const vault = {
    name: "kv-retail-app",
    properties: { enableSoftDelete: true, networkAcls: { ipRules: [{ value: "1.2.3.4" }] } },
  };

  it("returns the object holding a present property, with its key in focus", () => {
    expect(excerptAround(vault, ["properties", "enableSoftDelete"])).toEqual({
      at: "properties",
      value: vault.properties,
      focusKey: "enableSoftDelete",
      found: true,
    });
  });

  it("returns the deepest existing object when the property is absent", () => {
    expect(excerptAround(vault, ["properties", "enablePurgeProtection"])).toEqual({
      at: "properties",
      value: vault.properties,
      focusKey: "enablePurgeProtection",
      found: false,
    });
  });

  it("matches keys without regard to case and walks into arrays", () => {
    const excerpt = excerptAround(vault, ["Properties", "networkACLs", "ipRules", 0, "value"]);
    expect(excerpt.at).toBe("properties.networkAcls.ipRules[0]");
    expect(excerpt.value).toEqual({ value: "1.2.3.4" });
    expect(excerpt.found).toBe(true);
  });
});
