import { postureResponseSchema } from "@plumbline/api/contract/posture.js";
import { tenantListResponseSchema } from "@plumbline/api/contract/tenants.js";
import type { AccountStatus, OwnerPosture, Tenant } from "../api/types.js";
import { CollectionBadge } from "../components/badges.js";
import { DataTable } from "../components/data-table.js";
import { PageHeader } from "../components/page-header.js";
import { Empty, Loaded } from "../components/states.js";
import { TrendChart } from "../components/trend-chart.js";
import { formatAge, formatMoment } from "../format.js";
import { ownerFilterValue, ownerName } from "../owners.js";
import { href } from "../routing.js";
import { isAccountStale, STALE_AFTER_HOURS } from "../stale.js";
import { useApi } from "../use-api.js";

/** Every owner's posture by area, open critical and high findings, trend and accounts. */
export function OverviewPage() {
  const posture = useApi("/posture", postureResponseSchema);
  const tenants = useApi("/tenants", tenantListResponseSchema);
  return (
    <>
      <PageHeader title="Overview" />
      <Loaded state={posture} what="posture">
        {(postureData) => (
          <Loaded state={tenants} what="tenants">
            {(tenantData) =>
              postureData.owners.length === 0 ? (
                <Empty>
                  No findings yet. Run a scan (<code>plumbline scan</code>) and reload this page.
                </Empty>
              ) : (
                <>
                  <p className="muted">
                    Current verdicts as of {formatMoment(postureData.generatedAt)}. Accounts whose
                    last collection is older than {STALE_AFTER_HOURS} hours or incomplete are marked
                    stale.
                  </p>
                  <div className="owner-grid">
                    {ownersInReadingOrder(postureData.owners, tenantData.items).map((owner) => (
                      <OwnerCard
                        key={owner.tenant ?? "(unmapped)"}
                        owner={owner}
                        tenants={tenantData.items}
                      />
                    ))}
                  </div>
                </>
              )
            }
          </Loaded>
        )}
      </Loaded>
    </>
  );
}

/** Business units first (as the policy lists them), then the platform, then unmapped accounts. */
function ownersInReadingOrder(owners: OwnerPosture[], tenants: Tenant[]): OwnerPosture[] {
  const rank = (owner: OwnerPosture): number => {
    if (owner.tenant === null) {
      return tenants.length + 2;
    }
    const index = tenants.findIndex((tenant) => tenant.id === owner.tenant);
    if (index < 0) {
      return tenants.length + 1;
    }
    return tenants[index]?.kind === "platform" ? tenants.length : index;
  };
  return [...owners].sort((a, b) => rank(a) - rank(b));
}

function OwnerCard({ owner, tenants }: { owner: OwnerPosture; tenants: Tenant[] }) {
  const tenant = tenants.find((candidate) => candidate.id === owner.tenant);
  const name = ownerName(owner.tenant, tenants);
  const headingId = `owner-${ownerFilterValue(owner.tenant).replace(/[^a-z0-9-]/gi, "")}`;
  const filter = ownerFilterValue(owner.tenant);
  const openLink = (severity: string) =>
    href(["findings"], { tenant: filter, severity, status: "fail,error" });
  return (
    <section className="card owner-card" aria-labelledby={headingId} data-owner={filter}>
      <header className="owner-card-header">
        <h2 id={headingId}>{name}</h2>
        <span className="muted">
          {owner.tenant === null
            ? "accounts no owner claims"
            : tenant?.kind === "platform"
              ? "shared landing zone"
              : `tenant ${owner.tenant}`}
        </span>
      </header>
      <dl className="headline-numbers">
        <div className={owner.openBySeverity.critical > 0 ? "number alarm" : "number"}>
          <dt>Open critical</dt>
          <dd>
            <a href={openLink("critical")} data-testid="open-critical">
              {owner.openBySeverity.critical}
            </a>
          </dd>
        </div>
        <div className={owner.openBySeverity.high > 0 ? "number warn" : "number"}>
          <dt>Open high</dt>
          <dd>
            <a href={openLink("high")}>{owner.openBySeverity.high}</a>
          </dd>
        </div>
        <div className="number">
          <dt>Passing</dt>
          <dd>{owner.totals.pass}</dd>
        </div>
        <div className={owner.stale > 0 ? "number warn" : "number"}>
          <dt>Stale findings</dt>
          <dd>{owner.stale}</dd>
        </div>
      </dl>
      <TrendChart trend={owner.trend} label="Open findings (fail and error) over 30 days" />
      <AreaTable owner={owner} filter={filter} name={name} />
      {tenant === undefined ? null : <AccountTable accounts={tenant.accounts} name={name} />}
      {owner.tenant === null ? null : (
        <p className="card-links">
          <a href={href(["findings"], { tenant: filter })}>All findings of {name}</a>
          {tenant?.kind === "tenant" ? (
            <a href={href(["dataflow", owner.tenant])}>Data-flow map</a>
          ) : null}
        </p>
      )}
    </section>
  );
}

function AreaTable({ owner, filter, name }: { owner: OwnerPosture; filter: string; name: string }) {
  if (owner.areas.length === 0) {
    return <Empty>No evaluated controls.</Empty>;
  }
  return (
    <table className="data compact">
      <caption className="visually-hidden">Verdicts of {name} by control area</caption>
      <thead>
        <tr>
          <th scope="col">Area</th>
          <th scope="col" className="num">
            Pass
          </th>
          <th scope="col" className="num">
            Fail
          </th>
          <th scope="col" className="num">
            Error
          </th>
          <th scope="col" className="num">
            Waived
          </th>
          <th scope="col" className="bar-col">
            <span className="visually-hidden">Share</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {owner.areas.map(({ area, counts }) => {
          const judged = counts.pass + counts.fail + counts.error + counts.waived;
          const share = (value: number) => `${judged === 0 ? 0 : (value / judged) * 100}%`;
          return (
            <tr key={area}>
              <th scope="row">
                <a href={href(["findings"], { tenant: filter, area })}>{area}</a>
              </th>
              <td className="num">{counts.pass}</td>
              <td className="num">
                {counts.fail === 0 ? (
                  0
                ) : (
                  <a
                    className="count-fail"
                    href={href(["findings"], { tenant: filter, area, status: "fail" })}
                  >
                    {counts.fail}
                  </a>
                )}
              </td>
              <td className="num">{counts.error}</td>
              <td className="num">{counts.waived}</td>
              <td className="bar-col" aria-hidden="true">
                <span className="bar">
                  <span className="bar-pass" style={{ width: share(counts.pass) }} />
                  <span className="bar-waived" style={{ width: share(counts.waived) }} />
                  <span className="bar-error" style={{ width: share(counts.error) }} />
                  <span className="bar-fail" style={{ width: share(counts.fail) }} />
                </span>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function AccountTable({ accounts, name }: { accounts: AccountStatus[]; name: string }) {
  if (accounts.length === 0) {
    return null;
  }
  return (
    <DataTable
      className="compact accounts"
      caption={`Accounts of ${name}: last collection`}
      captionVisible
      columns={["Account", "Status", "Age", { label: "Resources", numeric: true }]}
    >
      {accounts.map((account) => {
        const stale = isAccountStale(account);
        return (
          <tr
            key={`${account.provider}:${account.account}`}
            className={stale ? "stale-row" : undefined}
            data-stale={stale}
          >
            <th scope="row">
              <span className="provider">{account.provider}</span>{" "}
              <span className="mono">{account.account}</span>
            </th>
            <td>
              {account.status === "never-collected" ? (
                <span className="badge collection-failed">never collected</span>
              ) : (
                <CollectionBadge status={account.status} />
              )}
              {stale ? (
                <span className="badge stale" title={account.reason ?? undefined}>
                  stale
                </span>
              ) : null}
              {account.reason === null ? null : <span className="reason">{account.reason}</span>}
            </td>
            <td className="nowrap" title={formatMoment(account.lastCollectedAt)}>
              {formatAge(account.lastCollectedAt)}
            </td>
            <td className="num">{account.resources ?? "—"}</td>
          </tr>
        );
      })}
    </DataTable>
  );
}
