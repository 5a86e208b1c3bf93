import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CONTROL_IDS } from "./catalogue.js";
import { CONTROLS } from "./registry.js";
import type { Control } from "./types.js";

const CONTROLS_DIR = fileURLToPath(new URL(".", import.meta.url));

/** Every control file: `<area>/<control-name>.ts`, tests excluded. */
function controlFiles(): { area: string; name: string; path: string }[] {
  return readdirSync(CONTROLS_DIR)
    .filter((entry) => statSync(join(CONTROLS_DIR, entry)).isDirectory())
    .flatMap((area) =>
      readdirSync(join(CONTROLS_DIR, area))
        .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts"))
        .map((file) => ({ area, name: file.slice(0, -3), path: join(CONTROLS_DIR, area, file) })),
    );
}

function camelCase(kebab: string): string {
  return kebab.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

function providersOf(control: Control): Set<"azure" | "aws"> {
  const providers = new Set<"azure" | "aws">();
  for (const type of control.resourceTypes) {
    if (type === "*") {
      providers.add("azure");
      providers.add("aws");
    } else if (type.startsWith("AWS::")) providers.add("aws");
    else providers.add("azure");
  }
  return providers;
}

/** The cloud whose vendor publishes a page, or undefined for anyone else's page. */
function vendorOf(url: string): "azure" | "aws" | undefined {
  const host = new URL(url).hostname;
  if (host.endsWith(".aws.amazon.com")) return "aws";
  if (host.endsWith(".microsoft.com")) return "azure";
  return undefined;
}

const files = controlFiles();

describe("control registry", () => {
  it("finds one file for each implemented control", () => {
    expect(files.map((f) => `${f.area}/${f.name}`).sort()).toEqual([
      "dataflow/stage-declared",
      "dataflow/stage-region",
      "dataflow/stage-resolves",
      "identity/local-auth-disabled",
      "identity/managed-identity",
      "keys/ai-cmk",
      "keys/cmk-usable",
      "keys/database-cmk",
      "keys/storage-cmk",
      "keys/vault-recoverable",
      "network/egress-firewall-logged",
      "network/private-dns",
      "network/private-endpoint",
      "network/public-access-disabled",
      "residency/ai-processing-scope",
      "residency/key-location",
      "residency/region-allowed",
      "tenancy/account-dedicated",
      "tenancy/model-allowed",
    ]);
  });

  for (const file of files) {
    it(`${file.area}/${file.name} exports one control named after the file, with the matching id`, async () => {
      const module = (await import(file.path)) as Record<string, unknown>;
      const exportNames = Object.keys(module);

      expect(exportNames).toEqual([camelCase(file.name)]);
      const control = module[camelCase(file.name)] as Control;
      expect(control.id).toBe(`${file.area}.${file.name}`);
      expect(CONTROL_IDS).toContain(control.id);
      expect(CONTROLS).toContain(control);
    });
  }

  for (const control of CONTROLS) {
    it(`${control.id} has complete metadata`, () => {
      expect(control.title.length).toBeGreaterThan(20);
      expect(control.title).not.toMatch(/^(ensure|check|verify)/i);
      expect(["low", "medium", "high", "critical"]).toContain(control.severity);
      expect(control.rationale.length).toBeGreaterThan(80);
      expect(control.references.length).toBeGreaterThan(0);
      expect(control.resourceTypes.length).toBeGreaterThan(0);
      for (const provider of providersOf(control)) {
        expect(
          control.remediation[provider]?.length ?? 0,
          `${provider} remediation`,
        ).toBeGreaterThan(40);
      }
      for (const reference of control.references) {
        if (reference.kind === "documentation") {
          expect(reference.url).toMatch(/^https:\/\//);
          // A cloud vendor's page is about that cloud; the finding page shows it only there.
          expect(reference.provider, reference.title).toBe(vendorOf(reference.url));
        } else expect(reference.name.length).toBeGreaterThan(5);
      }
      const awsRules = control.references.filter((r) => r.kind === "aws-config-rule");
      for (const rule of awsRules)
        expect(rule.kind === "aws-config-rule" && rule.name).toMatch(/^[a-z0-9-]+$/);
    });
  }

  it("registers every control of the catalogue once, in catalogue order", () => {
    expect(CONTROLS.map((c) => c.id)).toEqual([...CONTROL_IDS]);
  });
});
