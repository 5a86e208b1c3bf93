import {
  diffResponseSchema,
  resourceDetailResponseSchema,
} from "@plumbline/api/contract/resources.js";
import { useState } from "react";
import { SeverityBadge, VerdictBadge } from "../components/badges.js";
import { DataTable } from "../components/data-table.js";
import { PageHeader } from "../components/page-header.js";
import { Empty, Loaded } from "../components/states.js";
import { formatMoment, formatValue, shortName } from "../format.js";
import { href } from "../routing.js";
import { useApi } from "../use-api.js";

type Detail = (typeof resourceDetailResponseSchema)["_zod"]["output"];
type Snapshot = Detail["snapshots"][number];

/** One inventoried resource: what it is, its findings, each content change and its document. */
export function ResourcePage({ reference }: { reference: string }) {
  const detail = useApi(
    `/resources/${encodeURIComponent(reference)}`,
    resourceDetailResponseSchema,
  );
  return (
    <Loaded state={detail} what="the resource" title="Resource">
      {(data) => <ResourceDetail detail={data} reference={reference} />}
    </Loaded>
  );
}

function ResourceDetail({ detail, reference }: { detail: Detail; reference: string }) {
  const { resource, snapshots, findings } = detail;
  return (
    <article aria-labelledby="resource-title">
      <PageHeader title={`Resource: ${resource.name || shortName(resource.resourceId)}`} />
      <section className="card" aria-label="Facts">
        <dl className="facts">
          <div>
            <dt>Type</dt>
            <dd>{resource.type}</dd>
          </div>
          <div>
            <dt>Id</dt>
            <dd className="mono wrap">{resource.resourceId}</dd>
          </div>
          <div>
            <dt>Account</dt>
            <dd>
              {resource.provider} <span className="mono">{resource.account}</span>
            </dd>
          </div>
          <div>
            <dt>Region</dt>
            <dd>{resource.region ?? "—"}</dd>
          </div>
          <div>
            <dt>Owners</dt>
            <dd>{resource.owners.join(", ") || "none"}</dd>
          </div>
          <div>
            <dt>Seen</dt>
            <dd>
              {formatMoment(resource.firstSeen)} to {formatMoment(resource.lastSeen)}
              {resource.deletedAt === null ? "" : `; deleted ${formatMoment(resource.deletedAt)}`}
            </dd>
          </div>
        </dl>
      </section>

      <section className="card" aria-labelledby="resource-findings">
        <h2 id="resource-findings">Current findings</h2>
        {findings.length === 0 ? (
          <Empty>No control judges this resource.</Empty>
        ) : (
          <DataTable className="compact" columns={["Verdict", "Severity", "Control", "Owner"]}>
            {findings.map((finding) => (
              <tr key={finding.id}>
                <td>
                  <VerdictBadge status={finding.status} />
                </td>
                <td>
                  <SeverityBadge severity={finding.severity} />
                </td>
                <td>
                  <a className="mono" href={href(["findings", finding.id])}>
                    {finding.control}
                  </a>
                </td>
                <td>{finding.tenant ?? "unmapped"}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>

      <section className="card" aria-labelledby="resource-history">
        <h2 id="resource-history">Content history</h2>
        <SnapshotHistory reference={reference} snapshots={snapshots} />
      </section>

      <section className="card" aria-labelledby="resource-document">
        <h2 id="resource-document">Raw document (latest)</h2>
        <pre>{JSON.stringify(resource.raw, null, 2)}</pre>
      </section>
    </article>
  );
}

/** Each stored content of the resource; any one can be compared with the one before it. */
function SnapshotHistory({ reference, snapshots }: { reference: string; snapshots: Snapshot[] }) {
  const [compared, setCompared] = useState<number | null>(null);
  if (snapshots.length === 0) {
    return <Empty>No content has been stored for this resource.</Empty>;
  }
  return (
    <>
      <p className="muted">
        A snapshot is stored when the document's content changes; unchanged scans add none.
      </p>
      <ol className="timeline">
        {[...snapshots].reverse().map((snapshot, index, newestFirst) => {
          const previous = newestFirst[index + 1];
          return (
            <li key={snapshot.id} className="timeline-item">
              <time dateTime={snapshot.capturedAt}>{formatMoment(snapshot.capturedAt)}</time>
              <span className="mono subtle">{snapshot.contentHash.slice(0, 12)}</span>
              {previous === undefined ? (
                <span>first content collected</span>
              ) : (
                <button
                  type="button"
                  className="link-button"
                  aria-expanded={compared === snapshot.id}
                  onClick={() => setCompared(compared === snapshot.id ? null : snapshot.id)}
                >
                  {compared === snapshot.id ? "Hide changes" : "Show changes from the one before"}
                </button>
              )}
              {compared === snapshot.id && previous !== undefined ? (
                <SnapshotDiff reference={reference} from={previous.id} to={snapshot.id} />
              ) : null}
            </li>
          );
        })}
      </ol>
    </>
  );
}

function SnapshotDiff({ reference, from, to }: { reference: string; from: number; to: number }) {
  const diff = useApi(`/resources/${encodeURIComponent(reference)}/diff`, diffResponseSchema, {
    from,
    to,
  });
  return (
    <div className="snapshot-diff">
      <Loaded state={diff} what="the changes">
        {({ changes }) =>
          changes.length === 0 ? (
            <Empty>The two documents hold the same content.</Empty>
          ) : (
            <DataTable className="compact" columns={["Path", "Change", "Before", "After"]}>
              {changes.map((change) => (
                <tr key={change.path}>
                  <td className="mono wrap">{change.path}</td>
                  <td>{change.kind}</td>
                  <td className="mono wrap">
                    {change.kind === "added" ? "—" : formatValue(change.before)}
                  </td>
                  <td className="mono wrap">
                    {change.kind === "removed" ? "—" : formatValue(change.after)}
                  </td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </Loaded>
    </div>
  );
}
