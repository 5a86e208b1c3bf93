import { accessLogResponseSchema } from "@plumbline/api/contract/access-log.js";
import { DataTable } from "../components/data-table.js";
import { LoadMoreButton } from "../components/load-more.js";
import { PageHeader } from "../components/page-header.js";
import { Empty, Loaded } from "../components/states.js";
import { formatMoment } from "../format.js";
import { usePagedApi } from "../use-paged-api.js";

/** Admins only: every API request with its token, route and outcome, newest first. */
export function AccessLogPage() {
  const list = usePagedApi("/access-log", accessLogResponseSchema, { limit: 100 });
  return (
    <>
      <PageHeader title="Access log" />
      <Loaded state={list.state} what="the access log">
        {({ items }) =>
          items.length === 0 ? (
            <Empty>No requests recorded.</Empty>
          ) : (
            <DataTable
              caption="API requests, newest first"
              columns={[
                "When",
                "Token",
                "Request",
                { label: "Status", numeric: true },
                "Outcome",
                { label: "Duration", numeric: true },
              ]}
            >
              {items.map((entry) => (
                <tr key={entry.id}>
                  <td>{formatMoment(entry.at)}</td>
                  <td className="mono">{entry.tokenId?.slice(0, 8) ?? "none"}</td>
                  <td className="mono">
                    {entry.method} {entry.route}
                  </td>
                  <td className="num">{entry.status}</td>
                  <td>{entry.outcome}</td>
                  <td className="num">{entry.durationMs} ms</td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </Loaded>
      <LoadMoreButton list={list} label="Show older requests" />
    </>
  );
}
