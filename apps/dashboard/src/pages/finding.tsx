import { findingDetailResponseSchema } from "@plumbline/api/contract/findings.js";
import type { Control, DriftEvent, Finding } from "../api/types.js";
import { SeverityBadge, StaleBadge, StatusBadge, VerdictBadge } from "../components/badges.js";
import { type ExcerptFocus, JsonExcerpt } from "../components/json-excerpt.js";
import { PageHeader } from "../components/page-header.js";
import { Empty, Loaded } from "../components/states.js";
import { describeChange } from "../drift-change.js";
import { excerptAround, parseEvidencePath } from "../evidence-path.js";
import { formatMoment, formatValue, shortName } from "../format.js";
import { href } from "../routing.js";
import { useApi } from "../use-api.js";

type Detail = (typeof findingDetailResponseSchema)["_zod"]["output"];

/** One finding: verdict, evidence, the document it came from, how to fix it, and its history. */
export function FindingPage({ id }: { id: string }) {
  const detail = useApi(`/findings/${encodeURIComponent(id)}`, findingDetailResponseSchema);
  return (
    <Loaded state={detail} what="the finding" title="Finding">
      {(data) => <FindingDetail detail={data} />}
    </Loaded>
  );
}

function FindingDetail({ detail }: { detail: Detail }) {
  const { finding, control, resource, history } = detail;
  return (
    <article className="finding" aria-labelledby="finding-title">
      <p className="breadcrumb">
        <a href={href(["findings"])}>Findings</a> ›{" "}
        <a href={href(["findings"], { control: finding.control })}>{finding.control}</a>
      </p>
      <PageHeader title={`${finding.controlTitle}: ${shortName(finding.resource)}`} />
      <section className="card verdict-card" aria-label="Verdict">
        <p className="verdict-line">
          <VerdictBadge status={finding.status} /> <SeverityBadge severity={finding.severity} />
          {finding.stale ? <StaleBadge reason={finding.staleReason} /> : null}
          <span className="mono">{finding.control}</span>
        </p>
        <p className="verdict-message" data-testid="verdict-message">
          {finding.message}
        </p>
        {finding.stale ? (
          <p className="notice">
            This verdict is carried on from an earlier scan:{" "}
            {finding.staleReason ?? "the account was not collected completely"}.
          </p>
        ) : null}
        {finding.waiver === null ? null : <WaiverNote waiver={finding.waiver} />}
        <Facts finding={finding} />
      </section>

      <section className="card" aria-labelledby="evidence-title">
        <h2 id="evidence-title">Evidence</h2>
        {finding.evidence.length === 0 ? (
          <Empty>This verdict records no evidence.</Empty>
        ) : (
          <table className="data evidence-table">
            <thead>
              <tr>
                <th scope="col">Path</th>
                <th scope="col">Value seen</th>
                <th scope="col">Value expected</th>
              </tr>
            </thead>
            <tbody>
              {finding.evidence.map((evidence) => (
                <tr key={evidence.path}>
                  <td className="mono wrap">{evidence.path}</td>
                  <td className="mono wrap">
                    {formatValue(evidence.actual, Object.hasOwn(evidence, "actual"))}
                  </td>
                  <td className="mono wrap">{formatValue(evidence.expected)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <RawDocument finding={finding} resource={resource} />
      </section>

      {control === null ? null : <Remediation control={control} finding={finding} />}

      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <p className="muted">
          First evaluated {formatMoment(finding.firstSeen)}; {finding.status} since{" "}
          {formatMoment(finding.statusSince)}; last evaluated{" "}
          {formatMoment(finding.lastEvaluatedAt)}.
        </p>
        <Timeline events={history} />
      </section>
    </article>
  );
}

function Facts({ finding }: { finding: Finding }) {
  return (
    <dl className="facts">
      <div>
        <dt>Owner</dt>
        <dd>{finding.tenant ?? "unmapped account"}</dd>
      </div>
      <div>
        <dt>Resource</dt>
        <dd className="mono wrap">{finding.resource}</dd>
      </div>
      <div>
        <dt>Type</dt>
        <dd>{finding.type ?? "data-flow stage"}</dd>
      </div>
      <div>
        <dt>Account</dt>
        <dd>
          {finding.provider ?? "—"} <span className="mono">{finding.account ?? ""}</span>
        </dd>
      </div>
      <div>
        <dt>Region</dt>
        <dd>{finding.region ?? "—"}</dd>
      </div>
    </dl>
  );
}

function WaiverNote({ waiver }: { waiver: NonNullable<Finding["waiver"]> }) {
  return (
    <div className="waiver-note">
      <strong>Waived</strong> until {waiver.expires} (underlying verdict: {waiver.verdict}).{" "}
      {waiver.reason} Approved by {waiver.approvedBy}
      {waiver.ticket === null ? "" : `, ticket ${waiver.ticket}`}.
    </div>
  );
}

function RawDocument({ finding, resource }: { finding: Finding; resource: Detail["resource"] }) {
  if (resource === null) {
    return (
      <p className="muted">
        This finding is about {finding.type === null ? "a data-flow stage" : "an account"}; it has
        no raw document of its own.
      </p>
    );
  }
  // Evidence paths that share a parent object show one excerpt with each property marked.
  const excerpts = new Map<string, { value: unknown; focus: ExcerptFocus[] }>();
  for (const evidence of finding.evidence) {
    const parsed = parseEvidencePath(evidence.path);
    if (parsed.resource !== null) {
      continue;
    }
    const excerpt = excerptAround(resource.raw, parsed.steps);
    const entry = excerpts.get(excerpt.at) ?? { value: excerpt.value, focus: [] };
    if (excerpt.focusKey !== null) {
      entry.focus.push({ key: excerpt.focusKey, found: excerpt.found });
    }
    excerpts.set(excerpt.at, entry);
  }
  return (
    <div className="raw-document">
      <h3>Raw document</h3>
      <p className="muted">
        As collected from {resource.provider === "azure" ? "Azure" : "AWS"}
        {resource.deletedAt === null ? "" : `; deleted ${formatMoment(resource.deletedAt)}`}.{" "}
        <a href={href(["resources", resource.ref])}>The resource&apos;s history and findings</a>
      </p>
      {[...excerpts.entries()].map(([at, excerpt]) => (
        <JsonExcerpt key={at} at={at} value={excerpt.value} focus={excerpt.focus} />
      ))}
      {finding.evidence.some((evidence) => parseEvidencePath(evidence.path).resource !== null) ? (
        <p className="muted">
          Evidence whose path starts with another resource&apos;s id and <code>#</code> was read
          from that resource.
        </p>
      ) : null}
      <details>
        <summary>Whole document</summary>
        <pre>{JSON.stringify(resource.raw, null, 2)}</pre>
      </details>
    </div>
  );
}

function Remediation({ control, finding }: { control: Control; finding: Finding }) {
  const providers = (["azure", "aws"] as const).filter(
    (provider) => control.remediation[provider] !== undefined,
  );
  const ordered =
    finding.provider === null
      ? providers
      : [...providers].sort((a) => (a === finding.provider ? -1 : 1));
  return (
    <section className="card" aria-labelledby="remediation-title">
      <h2 id="remediation-title">Remediation</h2>
      <p>
        <strong>Why it matters:</strong> {control.rationale}
      </p>
      {ordered.map((provider) => (
        <div key={provider} className="remediation">
          <h3>{provider === "azure" ? "Azure" : "AWS"}</h3>
          <p>{control.remediation[provider]}</p>
        </div>
      ))}
      {control.references.length === 0 ? null : (
        <>
          <h3>References</h3>
          <ul className="references">
            {control.references.map((reference) => (
              <li key={reference.kind === "documentation" ? reference.url : reference.name}>
                {reference.kind === "documentation" ? (
                  <a href={reference.url} rel="noreferrer noopener" target="_blank">
                    {reference.title}
                  </a>
                ) : (
                  <>
                    {reference.kind === "azure-policy"
                      ? "Azure Policy built-in"
                      : "AWS Config managed rule"}
                    : <span className="mono">{reference.name}</span>
                  </>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      {control.frameworks.length === 0 ? null : (
        <>
          <h3>Frameworks</h3>
          <ul className="references">
            {control.frameworks.map((mapping) => (
              <li key={`${mapping.framework}:${mapping.requirement}`}>
                {mapping.frameworkTitle} {mapping.requirement} — {mapping.requirementTitle}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Timeline({ events }: { events: DriftEvent[] }) {
  if (events.length === 0) {
    return (
      <Empty>No changes recorded since the first evaluation: the verdict has not changed.</Empty>
    );
  }
  return (
    <ol className="timeline">
      {events.map((event) => (
        <li key={event.id} className={`timeline-item kind-${event.kind}`}>
          <time dateTime={event.at}>{formatMoment(event.at)}</time>
          <StatusBadge family="drift" status={event.kind} />
          <span>{describeChange(event)}</span>
        </li>
      ))}
    </ol>
  );
}
