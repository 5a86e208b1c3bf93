import { dataflowResponseSchema } from "@plumbline/api/contract/dataflow.js";
import { tenantListResponseSchema } from "@plumbline/api/contract/tenants.js";
import { useEffect } from "react";
import { PageHeader } from "../components/page-header.js";
import { Empty, Loaded } from "../components/states.js";
import { formatMoment, shortName } from "../format.js";
import { href, navigate } from "../routing.js";
import { useApi } from "../use-api.js";

type Dataflow = (typeof dataflowResponseSchema)["_zod"]["output"];
type Stage = Dataflow["stages"][number];
type StageResource = Stage["resources"][number];
type StageFinding = Stage["findings"][number];

const stageTitles: Record<Stage["stage"], string> = {
  "prompt-composition": "Prompt composition",
  retrieval: "Retrieval",
  "model-call": "Model call",
  "response-logging": "Response logging",
  "tool-calls": "Tool calls",
  "audit-trail": "Audit trail",
};

/** Chooses a tenant, then shows its map; with one tenant in scope, goes straight to it. */
export function DataflowIndexPage() {
  const tenants = useApi("/tenants", tenantListResponseSchema);
  const candidates =
    tenants.phase === "ready"
      ? tenants.data.items.filter((tenant) => tenant.kind === "tenant")
      : [];
  const only = candidates.length === 1 ? candidates[0]?.id : undefined;
  useEffect(() => {
    if (only !== undefined) {
      navigate(href(["dataflow", only]), { replace: true });
    }
  }, [only]);
  return (
    <>
      <PageHeader title="Data flow" />
      <Loaded state={tenants} what="tenants">
        {() =>
          candidates.length === 0 ? (
            <Empty>No business unit in your scope has a data-flow map.</Empty>
          ) : (
            <ul className="tenant-list">
              {candidates.map((tenant) => (
                <li key={tenant.id}>
                  <a href={href(["dataflow", tenant.id])}>{tenant.name}</a>{" "}
                  <span className="muted">({tenant.id})</span>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </>
  );
}

/**
 * The tenant's six stages as boxes on one page: which resources each selects, where they
 * live, and whether the region and the stage's findings pass. Prints on one A4 page.
 */
export function DataflowPage({ tenant }: { tenant: string }) {
  const map = useApi(`/dataflow/${encodeURIComponent(tenant)}`, dataflowResponseSchema);
  return (
    <Loaded state={map} what="the data-flow map" title="Data flow">
      {(data) => <DataflowMap map={data} />}
    </Loaded>
  );
}

function DataflowMap({ map }: { map: Dataflow }) {
  const failing = map.stages.filter((stage) => stage.status === "fail" || stage.status === "error");
  return (
    <div className="dataflow">
      <PageHeader title={`Data flow: ${map.name}`}>
        <button type="button" className="no-print" onClick={() => window.print()}>
          Print (A4)
        </button>
      </PageHeader>
      <div className="dataflow-meta">
        <p>
          <strong>Approved regions:</strong> {map.regions.allowed.join(", ") || "none"}
          {map.regions.fallback.map((fallback) => (
            <span key={fallback.region}>
              {"; "}
              <strong>fallback</strong> {fallback.region} under {fallback.contract} until{" "}
              {fallback.until}
            </span>
          ))}
        </p>
        <p>
          <strong>Summary:</strong>{" "}
          {failing.length === 0
            ? "every declared stage passes."
            : `${failing.length} of 6 stages need attention (${failing.map((stage) => stageTitles[stage.stage]).join(", ")}).`}{" "}
          <span className="muted print-only">
            Printed {formatMoment(new Date().toISOString())}.
          </span>
        </p>
        <Legend />
      </div>
      <ol className="stage-grid" aria-label="Stages in the order a prompt passes through them">
        {map.stages.map((stage, index) => (
          <StageBox key={stage.stage} stage={stage} position={index + 1} />
        ))}
      </ol>
    </div>
  );
}

function Legend() {
  return (
    <ul className="legend" aria-label="Legend">
      <li>
        <span className="swatch ok" aria-hidden="true" /> approved region / stage passes
      </li>
      <li>
        <span className="swatch bad" aria-hidden="true" /> region not approved / stage fails
      </li>
      <li>
        <span className="swatch unknown" aria-hidden="true" /> not declared or no region
      </li>
    </ul>
  );
}

function stageTone(stage: Stage): "ok" | "bad" | "unknown" {
  if (stage.status === "pass") {
    return "ok";
  }
  return stage.status === "not-declared" ? "unknown" : "bad";
}

function isOpen(finding: StageFinding): boolean {
  return finding.status === "fail" || finding.status === "error";
}

function StageBox({ stage, position }: { stage: Stage; position: number }) {
  const tone = stageTone(stage);
  const headingId = `stage-${stage.stage}`;
  const refs = new Set(stage.resources.map((resource) => resource.ref));
  // Findings about a listed resource mark its row; the others (about the stage itself: not
  // declared, selects nothing) are spelled out under the list.
  const byResource = new Map(
    stage.findings
      .filter((finding) => isOpen(finding) && finding.resourceRef !== null)
      .map((finding) => [finding.resourceRef as string, finding]),
  );
  const stageFindings = stage.findings.filter(
    (finding) =>
      isOpen(finding) && (finding.resourceRef === null || !refs.has(finding.resourceRef)),
  );
  return (
    <li className={`stage stage-${tone}`} aria-labelledby={headingId} data-stage={stage.stage}>
      <header className="stage-header">
        <h2 id={headingId}>
          <span className="stage-number" aria-hidden="true">
            {position}
          </span>
          {stageTitles[stage.stage]}
        </h2>
        <span className={`stage-status tone-${tone}`}>
          {stage.status === "not-declared" ? "not declared" : stage.status}
        </span>
      </header>
      {!stage.declared ? (
        <p className="muted">The policy maps no resources to this stage.</p>
      ) : stage.resources.length === 0 ? (
        <p className="muted">The selector matches no resource in the latest inventory.</p>
      ) : (
        <ul className="stage-resources">
          {stage.resources.map((resource) => (
            <ResourceLine
              key={resource.ref}
              resource={resource}
              finding={byResource.get(resource.ref)}
            />
          ))}
        </ul>
      )}
      {stageFindings.length === 0 ? null : (
        <ul className="stage-findings">
          {stageFindings.map((finding) => (
            <li key={finding.id}>
              <a href={href(["findings", finding.id])}>{finding.message}</a>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

function ResourceLine({
  resource,
  finding,
}: {
  resource: StageResource;
  finding: StageFinding | undefined;
}) {
  const tone =
    resource.regionApproved === null ? "unknown" : resource.regionApproved ? "ok" : "bad";
  const regionText =
    resource.regionApproved === null
      ? "region unknown"
      : resource.regionApproved
        ? "approved region"
        : "region not approved";
  return (
    <li className={finding === undefined ? "stage-resource" : "stage-resource has-finding"}>
      {resource.hidden ? (
        <span className="resource-name muted">a resource outside your scope</span>
      ) : (
        <a
          className="resource-name"
          href={href(["resources", resource.ref])}
          title={resource.resourceId}
        >
          {resource.name || shortName(resource.resourceId)}
        </a>
      )}
      <span className="resource-type">{resource.type}</span>
      <span className="resource-marks">
        <span className={`region tone-${tone}`}>
          <span className="visually-hidden">{regionText}: </span>
          {resource.region ?? "—"}
        </span>
        {finding === undefined ? null : (
          <a
            className={`badge verdict-${finding.status}`}
            href={href(["findings", finding.id])}
            title={finding.message}
          >
            {finding.status}
            <span className="visually-hidden">: {finding.message}</span>
          </a>
        )}
      </span>
    </li>
  );
}
