import {
  CONTROLS,
  type ControlReference,
  type ControlRemediation,
  type FrameworkRequirement,
  loadFrameworks,
  requirementsSupportedBy,
  type Severity,
  type SupportedRequirement,
} from "@plumbline/rules";

/** One registered control with everything the catalogue says about it. */
export interface CatalogueControl {
  id: string;
  /** The part of the id before the dot: `residency`, `keys`, `identity`, … */
  area: string;
  title: string;
  severity: Severity;
  /** `resource`: one verdict per resource of `resourceTypes`; `owner`: verdicts per tenant. */
  scope: "resource" | "owner";
  resourceTypes: string[];
  rationale: string;
  remediation: ControlRemediation;
  references: ControlReference[];
  /** Framework requirements the control supports, in framework order. */
  requirements: SupportedRequirement[];
}

/** A framework with its whole mapping. */
export interface CatalogueFramework {
  name: string;
  title: string;
  citation: string;
  url: string;
  requirements: FrameworkRequirement[];
}

/** The document `plumbline controls --format json` prints; the Markdown doc is built from it. */
export interface ControlCatalogue {
  controls: CatalogueControl[];
  frameworks: CatalogueFramework[];
}

/** Reads the registered controls and the framework mappings into one catalogue. */
export function buildControlCatalogue(): ControlCatalogue {
  return {
    controls: CONTROLS.map((control) => ({
      id: control.id,
      area: control.id.slice(0, control.id.indexOf(".")),
      title: control.title,
      severity: control.severity,
      scope: control.scope,
      resourceTypes: [...control.resourceTypes],
      rationale: control.rationale,
      remediation: { ...control.remediation },
      references: control.references.map((reference) => ({ ...reference })),
      requirements: requirementsSupportedBy(control.id),
    })),
    frameworks: loadFrameworks().map(({ name, title, citation, url, requirements }) => ({
      name,
      title,
      citation,
      url,
      requirements: requirements.map((requirement) => ({
        ...requirement,
        controls: requirement.controls.map((mapping) => ({ ...mapping })),
      })),
    })),
  };
}
