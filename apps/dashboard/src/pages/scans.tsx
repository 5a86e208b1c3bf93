import { notificationsResponseSchema } from "@plumbline/api/contract/notifications.js";
import {
  scanDetailResponseSchema,
  scanListResponseSchema,
  triggerScanResponseSchema,
} from "@plumbline/api/contract/scans.js";
import { useState } from "react";
import { CollectionBadge, StatusBadge } from "../components/badges.js";
import { DataTable } from "../components/data-table.js";
import { LoadMoreButton } from "../components/load-more.js";
import { PageHeader } from "../components/page-header.js";
import { Empty, Loaded } from "../components/states.js";
import { formatAge, formatMoment } from "../format.js";
import { href } from "../routing.js";
import { useIsAdmin, useSession } from "../session.js";
import { describeFailure, useApi } from "../use-api.js";
import { usePagedApi } from "../use-paged-api.js";

function formatDuration(ms: number | null): string {
  if (ms === null) {
    return "—";
  }
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Scans newest first, alert channels, and (for admins only) a button to scan now. */
export function ScansPage() {
  const isAdmin = useIsAdmin();
  const list = usePagedApi("/scans", scanListResponseSchema, { limit: 50 });
  return (
    <>
      <PageHeader title="Scans">{isAdmin ? <ScanNowButton /> : null}</PageHeader>
      <Loaded state={list.state} what="scans">
        {({ items }) =>
          items.length === 0 ? (
            <Empty>No scan has run yet.</Empty>
          ) : (
            <DataTable
              scroll
              className="scans-table"
              caption="Scans, newest first"
              columns={[
                "Started",
                "Kind",
                "Status",
                "Accounts",
                "Duration",
                { label: "Cloud calls", numeric: true },
                "Trigger",
              ]}
            >
              {items.map((scan) => (
                <tr key={scan.id}>
                  <td>
                    <a href={href(["scans", scan.id])}>{formatMoment(scan.startedAt)}</a>
                    <span className="subtle">{formatAge(scan.startedAt)}</span>
                  </td>
                  <td>
                    {scan.kind}
                    {scan.owner === null ? null : <span className="subtle">{scan.owner}</span>}
                  </td>
                  <td>
                    <CollectionBadge status={scan.status} />
                  </td>
                  <td>
                    {scan.accounts.complete} complete
                    {scan.accounts.partial > 0 ? `, ${scan.accounts.partial} partial` : ""}
                    {scan.accounts.failed > 0 ? `, ${scan.accounts.failed} failed` : ""}
                  </td>
                  <td>{formatDuration(scan.durationMs)}</td>
                  <td className="num">
                    {scan.cloudCalls === null ? "—" : scan.cloudCalls.calls}
                    {scan.cloudCalls !== null && scan.cloudCalls.throttled > 0 ? (
                      <span className="subtle">{scan.cloudCalls.throttled} throttled</span>
                    ) : null}
                  </td>
                  <td>{scan.trigger}</td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </Loaded>
      <LoadMoreButton list={list} label="Show older scans" />
      <AlertChannels />
    </>
  );
}

function AlertChannels() {
  const channels = useApi("/notifications", notificationsResponseSchema);
  return (
    <section className="card" aria-labelledby="alerts-title">
      <h2 id="alerts-title">Alert channels</h2>
      <Loaded state={channels} what="alert channels">
        {({ channels: items }) =>
          items.length === 0 ? (
            <Empty>No alert channel is configured.</Empty>
          ) : (
            <ul className="channels">
              {items.map((channel) => (
                <li key={channel.channel}>
                  <strong>{channel.channel}</strong>:{" "}
                  <StatusBadge family="channel" status={channel.state} />
                  {channel.reason === null ? null : <span> — {channel.reason}</span>}
                  <span className="subtle">
                    {channel.pending} pending; last delivered{" "}
                    {formatMoment(channel.lastDeliveredAt)}
                  </span>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}

/** Admins only: enqueue a scan of every account; the queue may be absent (no Redis). */
function ScanNowButton() {
  const { api } = useSession();
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function trigger() {
    setBusy(true);
    setMessage(null);
    try {
      const result = await api.post("/scans", triggerScanResponseSchema, {});
      setMessage(`Queued ${result.jobIds.length} jobs.`);
    } catch (error) {
      setMessage(describeFailure(error).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <span className="scan-now">
      <button type="button" className="primary" onClick={trigger} disabled={busy}>
        {busy ? "Queuing…" : "Scan now"}
      </button>
      {message === null ? null : (
        <span role="status" className="muted">
          {message}
        </span>
      )}
    </span>
  );
}

/** One scan: how each account was collected and the verdicts it recorded. */
export function ScanPage({ id }: { id: string }) {
  const detail = useApi(`/scans/${encodeURIComponent(id)}`, scanDetailResponseSchema);
  return (
    <Loaded state={detail} what="the scan" title="Scan">
      {({ scan, accounts, findings }) => (
        <>
          <p className="breadcrumb">
            <a href={href(["scans"])}>Scans</a>
          </p>
          <PageHeader title={`Scan of ${formatMoment(scan.startedAt)}`} />
          <p>
            <CollectionBadge status={scan.status} /> {scan.kind} scan, triggered by {scan.trigger}
            {"; "}finished {formatMoment(scan.finishedAt)} after {formatDuration(scan.durationMs)}.
            Verdicts recorded: {findings.fail} fail, {findings.error} error, {findings.waived}{" "}
            waived, {findings.pass} pass.
          </p>
          {accounts.length === 0 ? (
            <Empty>This scan collected no account.</Empty>
          ) : (
            <DataTable
              caption="Accounts collected"
              captionVisible
              columns={[
                "Account",
                "Owner",
                "Status",
                { label: "Resources", numeric: true },
                "Regions",
              ]}
            >
              {accounts.map((account) => (
                <tr key={`${account.provider}:${account.account}:${account.owner}`}>
                  <th scope="row">
                    <span className="provider">{account.provider}</span>{" "}
                    <span className="mono">{account.account}</span>
                  </th>
                  <td>{account.owner ?? "unmapped"}</td>
                  <td>
                    <CollectionBadge status={account.status} />
                    {account.reason === null ? null : (
                      <span className="reason">{account.reason}</span>
                    )}
                  </td>
                  <td className="num">{account.resources}</td>
                  <td className="wrap">
                    {account.completeRegions.join(", ") || "—"}
                    {account.skippedRegions.length === 0 ? null : (
                      <span className="subtle">skipped {account.skippedRegions.join(", ")}</span>
                    )}
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </>
      )}
    </Loaded>
  );
}
