import { notificationsResponseSchema } from "@plumbline/api/contract/notifications.js";
import {
  scanDetailResponseSchema,
  scanListResponseSchema,
  triggerScanResponseSchema,
} from "@plumbline/api/contract/scans.js";
import { useEffect, useState } from "react";
import type { ScanSummary } from "../api/types.js";
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

/**
 * When the list is loaded again after queuing a scan, in milliseconds: the jobs start at once
 * and an account's inventory takes seconds, its owner's evaluation a little longer; a busy
 * worker may start them later, so the list keeps following them for a minute.
 */
const FOLLOW_UPS_MS = [2_000, 5_000, 10_000, 20_000, 30_000, 45_000, 60_000];

/**
 * What a scan covered: the account an inventory collected, the owner an evaluation judged.
 * Limitation: an inventory still running names no account, since its account row is written
 * when its collection ends.
 */
function ScanSubject({ scan }: { scan: ScanSummary }) {
  if (scan.account !== null) {
    return (
      <span className="subtle">
        <span className="provider">{scan.account.provider}</span>{" "}
        <span className="mono">{scan.account.account}</span>
      </span>
    );
  }
  if (scan.kind === "discovery") {
    return <span className="subtle">accounts no owner lists</span>;
  }
  return scan.owner === null ? null : <span className="subtle">{scan.owner}</span>;
}

function AccountCounts({ scan }: { scan: ScanSummary }) {
  const { complete, partial, failed } = scan.accounts;
  // A discovery lists the clouds' accounts and evaluates the unmapped ones; it collects none.
  if (scan.kind === "discovery" || complete + partial + failed === 0) {
    return <span className="muted">—</span>;
  }
  return (
    <>
      {complete} complete
      {partial > 0 ? `, ${partial} partial` : ""}
      {failed > 0 ? `, ${failed} failed` : ""}
    </>
  );
}

/** Scans newest first, alert channels, and (for admins only) a button to scan now. */
export function ScansPage() {
  const isAdmin = useIsAdmin();
  const [refresh, setRefresh] = useState(0);
  const [queued, setQueued] = useState(0);
  const list = usePagedApi("/scans", scanListResponseSchema, { limit: 50 }, refresh);

  // The list shows the queued scans now and follows them for a few seconds, without a reload.
  useEffect(() => {
    if (queued === 0) {
      return;
    }
    setRefresh((count) => count + 1);
    const timers = FOLLOW_UPS_MS.map((delay) =>
      window.setTimeout(() => setRefresh((count) => count + 1), delay),
    );
    return () => {
      for (const timer of timers) window.clearTimeout(timer);
    };
  }, [queued]);

  return (
    <>
      <PageHeader title="Scans">
        {isAdmin ? <ScanNowButton onQueued={() => setQueued((count) => count + 1)} /> : null}
      </PageHeader>
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
                  <td data-testid="scan-kind">
                    {scan.kind}
                    <ScanSubject scan={scan} />
                  </td>
                  <td>
                    <CollectionBadge status={scan.status} />
                  </td>
                  <td>
                    <AccountCounts scan={scan} />
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
function ScanNowButton({ onQueued }: { onQueued: () => void }) {
  const { api } = useSession();
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function trigger() {
    setBusy(true);
    setMessage(null);
    try {
      const result = await api.post("/scans", triggerScanResponseSchema, {});
      setMessage(`Queued ${result.jobIds.length} jobs.`);
      onQueued();
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
          {scan.kind === "discovery" ? (
            <Empty>
              A discovery lists the accounts the clouds report and evaluates those no owner lists;
              it collects no account.
            </Empty>
          ) : accounts.length === 0 ? (
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
