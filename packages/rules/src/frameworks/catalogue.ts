import c5 from "./c5.json" with { type: "json" };
import dora from "./dora.json" with { type: "json" };
import euAiAct from "./eu-ai-act.json" with { type: "json" };
import { type Framework, FrameworkDataError, parseFramework } from "./framework-schema.js";
import gdpr from "./gdpr.json" with { type: "json" };
import iso27001 from "./iso27001.json" with { type: "json" };
import nis2 from "./nis2.json" with { type: "json" };

/**
 * The mapping files by the name each must declare, in the order frameworks are listed.
 * Limitation: each file maps one edition of its framework (C5:2020, ISO/IEC 27001:2022); a
 * later edition that renumbers its criteria is not recognised until it gets a file of its own.
 */
const sources = {
  gdpr,
  dora,
  iso27001,
  nis2,
  c5,
  "eu-ai-act": euAiAct,
} as const satisfies Record<string, unknown>;

/** A framework name accepted by `--framework`. */
export type FrameworkName = keyof typeof sources;

/** Every framework name, in listing order. */
export const FRAMEWORK_NAMES = Object.keys(sources) as readonly FrameworkName[];

let loaded: readonly Framework[] | undefined;

/**
 * Every framework mapping, validated on first use (control ids must exist in `CONTROL_IDS`).
 * Throws `FrameworkDataError` when a mapping file is invalid.
 */
export function loadFrameworks(): readonly Framework[] {
  if (loaded === undefined) {
    loaded = FRAMEWORK_NAMES.map((name) => {
      const framework = parseFramework(sources[name], `frameworks/${name}.json`);
      if (framework.name !== name) {
        throw new FrameworkDataError(
          `frameworks/${name}.json: name is "${framework.name}"; expected "${name}"`,
        );
      }
      return framework;
    });
  }
  return loaded;
}

/** The framework with this name (compared without case), or undefined. */
export function frameworkByName(name: string): Framework | undefined {
  const wanted = name.toLowerCase();
  return loadFrameworks().find((framework) => framework.name === wanted);
}

/** A requirement that a control supports, with the framework it belongs to. */
export interface SupportedRequirement {
  /** Framework name, such as `gdpr`. */
  framework: string;
  /** Requirement id within the framework, such as `Art. 32(1)(a)`. */
  requirement: string;
  title: string;
  /** Why the control supports the requirement, in one line. */
  reason: string;
}

/** Every requirement the control supports, in framework and requirement order. */
export function requirementsSupportedBy(controlId: string): SupportedRequirement[] {
  return loadFrameworks().flatMap((framework) =>
    framework.requirements.flatMap((requirement) =>
      requirement.controls
        .filter((mapping) => mapping.control === controlId)
        .map((mapping) => ({
          framework: framework.name,
          requirement: requirement.id,
          title: requirement.title,
          reason: mapping.reason,
        })),
    ),
  );
}
