import { DRIFT_KINDS, driftListResponseSchema } from "@plumbline/api/contract/drift.js";
import type { DriftEvent } from "../api/types.js";
import { SeverityBadge, StatusBadge } from "../components/badges.js";
import { DataTable } from "../components/data-table.js";
import {
  type Choice,
  DateFilter,
  FilterForm,
  SelectFilter,
  severityChoices,
  TextFilter,
} from "../components/filter-field.js";
import { LoadMoreButton } from "../components/load-more.js";
import { PageHeader } from "../components/page-header.js";
import { Empty, Loaded } from "../components/states.js";
import { describeChange } from "../drift-change.js";
import { formatMoment, shortName } from "../format.js";
import { useQueryFilters } from "../query-state.js";
import { href, type Route } from "../routing.js";
import { useOwnerChoices } from "../use-owner-choices.js";
import { usePagedApi } from "../use-paged-api.js";

const filterKeys = ["from", "to", "tenant", "kind", "severity", "control", "q"] as const;

const kindChoices: Choice[] = [
  { value: "opened,reopened,waiver-expired", label: "Regressions" },
  { value: "resolved", label: "Resolved" },
  { value: "appeared,disappeared,changed", label: "Resource changes" },
  ...DRIFT_KINDS.map((kind) => ({ value: kind, label: kind })),
];

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

/**
 * A finding event links to its finding; a resource event to the resource's page (its history
 * and content diff), when the resource is stored and within the reader's scope.
 */
function SubjectLink({ event }: { event: DriftEvent }) {
  const target =
    event.findingId !== null
      ? href(["findings", event.findingId])
      : event.resourceRef !== null
        ? href(["resources", event.resourceRef])
        : null;
  const name = shortName(event.resource);
  return target === null ? (
    <span title={event.resource}>{name}</span>
  ) : (
    <a href={target} title={event.resource}>
      {name}
    </a>
  );
}

/** Every recorded change of a verdict or a watched resource property, newest first. */
export function DriftPage({ route }: { route: Route }) {
  const { values, field } = useQueryFilters(route, filterKeys);
  const tenantChoices = useOwnerChoices();
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

  return (
    <>
      <PageHeader title="Drift" />
      <p className="muted">
        Changes recorded by each evaluation and collection. Without dates, the last 30 days.
      </p>
      <FilterForm label="Filter drift events">
        <DateFilter label="From (UTC)" {...field("from")} />
        <DateFilter label="To (UTC, inclusive)" {...field("to")} />
        <SelectFilter label="Owner" choices={tenantChoices} {...field("tenant")} />
        <SelectFilter label="Kind" choices={kindChoices} {...field("kind")} />
        <SelectFilter label="Severity" choices={severityChoices} {...field("severity")} />
        <TextFilter label="Control" placeholder="keys.vault-recoverable" {...field("control")} />
        <TextFilter label="Resource" {...field("q")} />
      </FilterForm>
      <Loaded state={list.state} what="drift events">
        {({ items }) =>
          items.length === 0 ? (
            <Empty>
              No changes in this period. The first scan of an estate records its baseline, so drift
              appears from the second scan on.
            </Empty>
          ) : (
            <>
              <DataTable
                scroll
                className="drift-table"
                caption="Drift events, newest first"
                columns={["When", "Kind", "Severity", "Owner", "Subject", "Change"]}
              >
                {items.map((event) => (
                  <tr key={event.id}>
                    <td className="nowrap">
                      <time dateTime={event.at}>{formatMoment(event.at)}</time>
                    </td>
                    <td>
                      <StatusBadge family="drift" status={event.kind} />
                    </td>
                    <td>
                      <SeverityBadge severity={event.severity} />
                    </td>
                    <td>{event.tenant ?? "—"}</td>
                    <td className="resource-cell">
                      <SubjectLink event={event} />
                      <span className="subtle mono">
                        {event.control ?? `${event.provider ?? ""} ${event.region ?? ""}`}
                      </span>
                    </td>
                    <td className="wrap">{describeChange(event)}</td>
                  </tr>
                ))}
              </DataTable>
              <LoadMoreButton list={list} label="Show older events" />
            </>
          )
        }
      </Loaded>
    </>
  );
}
