import { waiverListResponseSchema } from "@plumbline/api/contract/waivers.js";
import { StatusBadge } from "../components/badges.js";
import { DataTable } from "../components/data-table.js";
import { PageHeader } from "../components/page-header.js";
import { Empty, Loaded } from "../components/states.js";
import { href } from "../routing.js";
import { useApi } from "../use-api.js";

function expiryText(days: number): string {
  if (days < 0) {
    return `expired ${-days} ${days === -1 ? "day" : "days"} ago`;
  }
  if (days === 0) {
    return "expires today";
  }
  return `${days} ${days === 1 ? "day" : "days"} left`;
}

/** The policy's waivers, soonest expiry first, with the findings each currently waives. */
export function WaiversPage() {
  const waivers = useApi("/waivers", waiverListResponseSchema);
  return (
    <>
      <PageHeader title="Waivers" />
      <Loaded state={waivers} what="waivers">
        {({ items }) =>
          items.length === 0 ? (
            <Empty>The policy grants no waivers.</Empty>
          ) : (
            <DataTable
              scroll
              className="waivers-table"
              caption="Waivers by expiry"
              columns={[
                "Control",
                "Covers",
                "Reason",
                "Approved by",
                "Expires",
                { label: "Findings", numeric: true },
              ]}
            >
              {[...items]
                .sort((a, b) => a.daysToExpiry - b.daysToExpiry)
                .map((waiver) => (
                  <tr
                    key={`${waiver.control}:${waiver.resource ?? waiver.account}`}
                    className={`waiver-${waiver.state}`}
                  >
                    <th scope="row" className="mono">
                      {waiver.control}
                    </th>
                    <td className="mono wrap">
                      {waiver.resource ?? `account ${waiver.account ?? ""}`}
                    </td>
                    <td className="wrap">
                      {waiver.reason}
                      {waiver.ticket === null ? null : (
                        <span className="subtle">ticket {waiver.ticket}</span>
                      )}
                    </td>
                    <td>{waiver.approvedBy}</td>
                    <td>
                      {waiver.expires}
                      <StatusBadge family="waiver-state" status={waiver.state} />
                      <span className="subtle">{expiryText(waiver.daysToExpiry)}</span>
                    </td>
                    <td className="num">
                      {waiver.findings === 0 ? (
                        0
                      ) : (
                        <a
                          href={href(["findings"], {
                            control: waiver.control,
                            status: "waived",
                          })}
                        >
                          {waiver.findings}
                        </a>
                      )}
                    </td>
                  </tr>
                ))}
            </DataTable>
          )
        }
      </Loaded>
    </>
  );
}
