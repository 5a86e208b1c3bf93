import { accessLogResponseSchema } from "@plumbline/api/contract/access-log.js";
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
            <table className="data">
              <caption className="visually-hidden">API requests, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Token</th>
                  <th scope="col">Request</th>
                  <th scope="col" className="num">
                    Status
                  </th>
                  <th scope="col">Outcome</th>
                  <th scope="col" className="num">
                    Duration
                  </th>
                </tr>
              </thead>
              <tbody>
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
              </tbody>
            </table>
          )
        }
      </Loaded>
      {list.hasMore ? (
        <button
          type="button"
          className="load-more"
          onClick={list.loadMore}
          disabled={list.loadingMore}
        >
          {list.loadingMore ? "Loading…" : "Show older requests"}
        </button>
      ) : null}
    </>
  );
}
