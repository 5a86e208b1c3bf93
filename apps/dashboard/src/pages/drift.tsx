import { DRIFT_KINDS, driftListResponseSchema } from "@plumbline/api/contract/drift.js";
import { tenantListResponseSchema } from "@plumbline/api/contract/tenants.js";
import { SeverityBadge } from "../components/badges.js";
import { type Choice, SelectFilter, TextFilter } from "../components/filter-field.js";
import { PageHeader } from "../components/page-header.js";
import { Empty, Loaded } from "../components/states.js";
import { describeChange } from "../drift-change.js";
import { formatMoment, shortName } from "../format.js";
import { useQueryFilters } from "../query-state.js";
import { href, type Route } from "../routing.js";
import { useApi } from "../use-api.js";
import { usePagedApi } from "../use-paged-api.js";

const filterKeys = ["from", "to", "tenant", "kind", "severity", "control", "q"] as const;

const kindChoices: Choice[] = [
  { value: "opened,reopened,waiver-expired", label: "Regressions" },
  { value: "resolved", label: "Resolved" },
  { value: "appeared,disappeared,changed", label: "Resource changes" },
  ...DRIFT_KINDS.map((kind) => ({ value: kind, label: kind })),
];

const severityChoices: Choice[] = ["critical", "high", "medium", "low"].map((value) => ({
  value,
  label: value,
}));

/** A day (`YYYY-MM-DD` from a date input) as the API's ISO instant at 00:00 UTC. */
function dayStart(day: string): string | undefined {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? `${day}T00:00:00.000Z` : undefined;
}

/** The day after, so a `to` day is included whole (the API's `to` is exclusive). */
function dayAfter(day: string): string | undefined {
  const start = dayStart(day);
  return start === undefined
    ? undefined
    : new Date(new Date(start).getTime() + 86_400_000).toISOString();
}

/** Every recorded change of a verdict or a watched resource property, newest first. */
export function DriftPage({ route }: { route: Route }) {
  const { values, update } = useQueryFilters(route, filterKeys);
  const tenants = useApi("/tenants", tenantListResponseSchema);
  const list = usePagedApi("/drift", driftListResponseSchema, {
    from: dayStart(values.from),
    to: dayAfter(values.to),
    tenant: values.tenant,
    kind: values.kind,
    severity: values.severity,
    control: values.control,
    q: values.q,
    limit: 100,
  });
  const tenantChoices: Choice[] =
    tenants.phase === "ready"
      ? tenants.data.items.map((tenant) => ({ value: tenant.id, label: tenant.name }))
      : [];

  return (
    <>
      <PageHeader title="Drift" />
      <p className="muted">
        Changes recorded by each evaluation and collection. Without dates, the last 30 days.
      </p>
      <form
        className="filters"
        aria-label="Filter drift events"
        onSubmit={(e) => e.preventDefault()}
      >
        <div className="field">
          <label htmlFor="drift-from">From (UTC)</label>
          <input
            id="drift-from"
            type="date"
            value={values.from}
            onChange={(event) => update({ from: event.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="drift-to">To (UTC, inclusive)</label>
          <input
            id="drift-to"
            type="date"
            value={values.to}
            onChange={(event) => update({ to: event.target.value })}
          />
        </div>
        <SelectFilter
          name="tenant"
          label="Owner"
          value={values.tenant}
          choices={tenantChoices}
          onChange={(tenant) => update({ tenant })}
        />
        <SelectFilter
          name="kind"
          label="Kind"
          value={values.kind}
          choices={kindChoices}
          onChange={(kind) => update({ kind })}
        />
        <SelectFilter
          name="severity"
          label="Severity"
          value={values.severity}
          choices={severityChoices}
          onChange={(severity) => update({ severity })}
        />
        <TextFilter
          name="control"
          label="Control"
          value={values.control}
          onChange={(control) => update({ control })}
          placeholder="keys.vault-recoverable"
        />
        <TextFilter name="q" label="Resource" value={values.q} onChange={(q) => update({ q })} />
      </form>
      <Loaded state={list.state} what="drift events">
        {({ items }) =>
          items.length === 0 ? (
            <Empty>
              No changes in this period. The first scan of an estate records its baseline, so drift
              appears from the second scan on.
            </Empty>
          ) : (
            <>
              <div className="table-scroll">
                <table className="data drift-table">
                  <caption className="visually-hidden">Drift events, newest first</caption>
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Kind</th>
                      <th scope="col">Severity</th>
                      <th scope="col">Owner</th>
                      <th scope="col">Subject</th>
                      <th scope="col">Change</th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((event) => (
                      <tr key={event.id}>
                        <td className="nowrap">
                          <time dateTime={event.at}>{formatMoment(event.at)}</time>
                        </td>
                        <td>
                          <span className={`badge drift-${event.kind}`}>{event.kind}</span>
                        </td>
                        <td>
                          <SeverityBadge severity={event.severity} />
                        </td>
                        <td>{event.tenant ?? "—"}</td>
                        <td className="resource-cell">
                          {event.findingId === null ? (
                            <span title={event.resource}>{shortName(event.resource)}</span>
                          ) : (
                            <a href={href(["findings", event.findingId])} title={event.resource}>
                              {shortName(event.resource)}
                            </a>
                          )}
                          <span className="subtle mono">
                            {event.control ?? `${event.provider ?? ""} ${event.region ?? ""}`}
                          </span>
                        </td>
                        <td className="wrap">{describeChange(event)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {list.hasMore ? (
                <button
                  type="button"
                  className="load-more"
                  onClick={list.loadMore}
                  disabled={list.loadingMore}
                >
                  {list.loadingMore ? "Loading…" : "Show older events"}
                </button>
              ) : null}
            </>
          )
        }
      </Loaded>
    </>
  );
}
