import { controlListResponseSchema } from "@plumbline/api/contract/controls.js";
import { FINDING_SORTS, findingListResponseSchema } from "@plumbline/api/contract/findings.js";
import type { Finding } from "../api/types.js";
import { SeverityBadge, StaleBadge, VerdictBadge } from "../components/badges.js";
import { DataTable } from "../components/data-table.js";
import { ExportButtons } from "../components/export-buttons.js";
import {
  type Choice,
  FilterForm,
  SelectFilter,
  severityChoices,
  TextFilter,
} from "../components/filter-field.js";
import { LoadMoreButton } from "../components/load-more.js";
import { PageHeader } from "../components/page-header.js";
import { Empty, Loaded } from "../components/states.js";
import { formatDay, shortName } from "../format.js";
import { ownerFilterValue } from "../owners.js";
import { useQueryFilters } from "../query-state.js";
import { href, type Route } from "../routing.js";
import { useSession } from "../session.js";
import { useApi } from "../use-api.js";
import { useOwnerChoices } from "../use-owner-choices.js";
import { usePagedApi } from "../use-paged-api.js";

const filterKeys = [
  "tenant",
  "control",
  "area",
  "status",
  "severity",
  "region",
  "account",
  "q",
] as const;

const queryKeys = [...filterKeys, "sort"] as const;

type SortKey = (typeof FINDING_SORTS)[number];

const statusChoices: Choice[] = [
  { value: "fail,error", label: "Open (fail or error)" },
  { value: "fail", label: "fail" },
  { value: "error", label: "error" },
  { value: "waived", label: "waived" },
  { value: "pass", label: "pass" },
  { value: "not-applicable", label: "not applicable" },
];

const pageSize = 100;

/** The current findings, filtered and sorted on the server, with exports of the same set. */
export function FindingsPage({ route }: { route: Route }) {
  const { identity } = useSession();
  const { values, update, field } = useQueryFilters(route, queryKeys);
  const controls = useApi("/controls", controlListResponseSchema);
  const ownerChoices = useOwnerChoices();
  const sort = (FINDING_SORTS as readonly string[]).includes(values.sort)
    ? (values.sort as SortKey)
    : "severity";
  const filters: Record<string, string> = Object.fromEntries(
    filterKeys.map((key) => [key, values[key]]),
  );
  const list = usePagedApi("/findings", findingListResponseSchema, {
    ...filters,
    sort,
    limit: pageSize,
  });

  const controlChoices: Choice[] =
    controls.phase === "ready"
      ? controls.data.items.map((control) => ({ value: control.id, label: control.id }))
      : [];
  const areaChoices: Choice[] =
    controls.phase === "ready"
      ? [...new Set(controls.data.items.map((control) => control.area))]
          .sort()
          .map((area) => ({ value: area, label: area }))
      : [];
  const tenantChoices: Choice[] = [
    ...ownerChoices,
    ...(identity.scope === null ? [{ value: ownerFilterValue(null), label: "Unmapped" }] : []),
  ];

  return (
    <>
      <PageHeader title="Findings" />
      <FilterForm label="Filter findings">
        <SelectFilter label="Owner" choices={tenantChoices} {...field("tenant")} />
        <SelectFilter label="Area" choices={areaChoices} {...field("area")} />
        <SelectFilter label="Control" choices={controlChoices} {...field("control")} />
        <SelectFilter label="Verdict" choices={statusChoices} {...field("status")} />
        <SelectFilter label="Severity" choices={severityChoices} {...field("severity")} />
        <TextFilter label="Region" placeholder="westeurope" {...field("region")} />
        <TextFilter label="Account" {...field("account")} />
        <TextFilter label="Search" placeholder="resource, message or control" {...field("q")} />
        {Object.values(filters).some((value) => value !== "") ? (
          <button
            type="button"
            className="link-button clear-filters"
            onClick={() => update(Object.fromEntries(filterKeys.map((key) => [key, ""])))}
          >
            Clear filters
          </button>
        ) : null}
      </FilterForm>
      <ExportButtons filters={{ ...filters, sort }} />
      <Loaded state={list.state} what="findings">
        {({ items, first }) =>
          items.length === 0 ? (
            <Empty>No current findings match these filters.</Empty>
          ) : (
            <>
              <p className="result-count" role="status">
                {first.total} {first.total === 1 ? "finding matches" : "findings match"}
                {items.length < first.total ? `; showing the first ${items.length}` : ""}.
              </p>
              <FindingTable
                findings={items}
                sort={sort}
                onSort={(next) => update({ sort: next === "severity" ? "" : next })}
              />
              <LoadMoreButton list={list} label={`Show the next ${pageSize}`} />
            </>
          )
        }
      </Loaded>
    </>
  );
}

interface SortableColumn {
  label: string;
  ascending: SortKey;
  descending?: SortKey;
}

const columns = {
  severity: { label: "Severity", ascending: "severity", descending: "-severity" },
  control: { label: "Control", ascending: "control" },
  resource: { label: "Resource", ascending: "resource" },
  tenant: { label: "Owner", ascending: "tenant" },
  since: { label: "Since", ascending: "-statusSince", descending: "statusSince" },
} satisfies Record<string, SortableColumn>;

function SortHeader({
  column,
  sort,
  onSort,
}: {
  column: SortableColumn;
  sort: SortKey;
  onSort: (sort: SortKey) => void;
}) {
  const active = sort === column.ascending || sort === column.descending;
  const next =
    sort === column.ascending && column.descending !== undefined
      ? column.descending
      : column.ascending;
  return (
    <th
      scope="col"
      aria-sort={active ? (sort === column.ascending ? "ascending" : "descending") : undefined}
    >
      <button type="button" className="sort-button" onClick={() => onSort(next)}>
        {column.label}
        <span aria-hidden="true" className="sort-mark">
          {active ? (sort === column.ascending ? "▲" : "▼") : "↕"}
        </span>
      </button>
    </th>
  );
}

/** One row per finding; the resource links to the finding page. */
function FindingTable({
  findings,
  sort,
  onSort,
}: {
  findings: Finding[];
  sort: SortKey;
  onSort: (sort: SortKey) => void;
}) {
  return (
    <DataTable
      scroll
      className="findings-table"
      caption="Current findings"
      headings={
        <>
          <SortHeader column={columns.severity} sort={sort} onSort={onSort} />
          <th scope="col">Verdict</th>
          <SortHeader column={columns.control} sort={sort} onSort={onSort} />
          <SortHeader column={columns.resource} sort={sort} onSort={onSort} />
          <SortHeader column={columns.tenant} sort={sort} onSort={onSort} />
          <th scope="col">Region</th>
          <SortHeader column={columns.since} sort={sort} onSort={onSort} />
        </>
      }
    >
      {findings.map((finding) => (
        <tr key={finding.id}>
          <td>
            <SeverityBadge severity={finding.severity} />
          </td>
          <td>
            <VerdictBadge status={finding.status} />
            {finding.stale ? <StaleBadge reason={finding.staleReason} /> : null}
          </td>
          <td>
            <span className="mono">{finding.control}</span>
            <span className="subtle">{finding.controlTitle}</span>
          </td>
          <td className="resource-cell">
            <a href={href(["findings", finding.id])} title={finding.resource}>
              {shortName(finding.resource)}
            </a>
            <span className="subtle">{finding.type ?? "data-flow stage"}</span>
          </td>
          <td>{finding.tenant ?? "unmapped"}</td>
          <td>{finding.region ?? "—"}</td>
          <td className="nowrap">{formatDay(finding.statusSince)}</td>
        </tr>
      ))}
    </DataTable>
  );
}
