import { tenantListResponseSchema } from "@plumbline/api/contract/tenants.js";
import {
  createTokenResponseSchema,
  tokenListResponseSchema,
  tokenSchema,
} from "@plumbline/api/contract/tokens.js";
import { type FormEvent, useState } from "react";
import { StatusBadge } from "../components/badges.js";
import { DataTable } from "../components/data-table.js";
import { PageHeader } from "../components/page-header.js";
import { Empty, Loaded } from "../components/states.js";
import { formatMoment } from "../format.js";
import { useSession } from "../session.js";
import { describeFailure, useApi } from "../use-api.js";

type Token = (typeof tokenSchema)["_zod"]["output"];

function tokenState(token: Token, now: Date): "active" | "revoked" | "expired" {
  if (token.revokedAt !== null) {
    return "revoked";
  }
  return token.expiresAt !== null && new Date(token.expiresAt) <= now ? "expired" : "active";
}

/** Admins only: every API token, a form to create one and a button to revoke each. */
export function TokensPage() {
  const [generation, setGeneration] = useState(0);
  const tokens = useApi("/tokens", tokenListResponseSchema, {}, generation);
  const reload = () => setGeneration((value) => value + 1);
  return (
    <>
      <PageHeader title="API tokens" />
      <CreateTokenForm onCreated={reload} />
      <Loaded state={tokens} what="tokens">
        {({ items }) =>
          items.length === 0 ? (
            <Empty>No token exists.</Empty>
          ) : (
            <DataTable
              scroll
              className="tokens-table"
              caption="API tokens"
              columns={["Name", "Role", "Scope", "Created", "Expires", "Last used", "State"]}
            >
              {items.map((token) => (
                <TokenRow key={token.id} token={token} onRevoked={reload} />
              ))}
            </DataTable>
          )
        }
      </Loaded>
    </>
  );
}

function TokenRow({ token, onRevoked }: { token: Token; onRevoked: () => void }) {
  const { api, identity } = useSession();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const state = tokenState(token, new Date());
  async function revoke() {
    try {
      await api.remove(`/tokens/${encodeURIComponent(token.id)}`, tokenSchema);
      onRevoked();
    } catch (failure) {
      setError(describeFailure(failure).message);
    }
  }
  return (
    <tr data-token={token.name}>
      <th scope="row">{token.name}</th>
      <td>{token.role}</td>
      <td>{token.scope === null ? "every owner" : token.scope.join(", ")}</td>
      <td className="nowrap">{formatMoment(token.createdAt)}</td>
      <td className="nowrap">{formatMoment(token.expiresAt)}</td>
      <td className="nowrap">{formatMoment(token.lastUsedAt)}</td>
      <td>
        <StatusBadge family="token" status={state} />
        {state !== "active" || token.id === identity.tokenId ? null : confirming ? (
          <>
            <button type="button" className="danger" onClick={revoke}>
              Revoke {token.name}
            </button>
            <button type="button" className="link-button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" onClick={() => setConfirming(true)}>
            Revoke…
          </button>
        )}
        {error === null ? null : (
          <span className="field-error" role="alert">
            {error}
          </span>
        )}
      </td>
    </tr>
  );
}

/** Creates a token; its secret is shown here once and never again. */
function CreateTokenForm({ onCreated }: { onCreated: () => void }) {
  const { api } = useSession();
  const tenants = useApi("/tenants", tenantListResponseSchema);
  const [name, setName] = useState("");
  const [role, setRole] = useState<"auditor" | "admin">("auditor");
  const [owners, setOwners] = useState<string[]>([]);
  const [expires, setExpires] = useState("");
  const [secret, setSecret] = useState<{ name: string; token: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const created = await api.post("/tokens", createTokenResponseSchema, {
        name,
        role,
        scope: owners.length === 0 ? null : owners,
        ...(expires === "" ? {} : { expiresAt: `${expires}T23:59:59Z` }),
      });
      setSecret({ name: created.name, token: created.token });
      setName("");
      setOwners([]);
      setExpires("");
      onCreated();
    } catch (failure) {
      setError(describeFailure(failure).message);
    }
  }

  const ownerChoices =
    tenants.phase === "ready" ? tenants.data.items.map((tenant) => tenant.id) : [];
  return (
    <form className="card token-form" onSubmit={submit} aria-labelledby="new-token">
      <h2 id="new-token">New token</h2>
      <div className="field">
        <label htmlFor="token-name">Name</label>
        <input
          id="token-name"
          required
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="token-role">Role</label>
        <select
          id="token-role"
          value={role}
          onChange={(event) => setRole(event.target.value === "admin" ? "admin" : "auditor")}
        >
          <option value="auditor">auditor (reads only)</option>
          <option value="admin">admin</option>
        </select>
      </div>
      <fieldset className="field">
        <legend>Scope (none ticked: every owner)</legend>
        {ownerChoices.map((owner) => (
          <label key={owner} className="check">
            <input
              type="checkbox"
              checked={owners.includes(owner)}
              onChange={(event) =>
                setOwners(
                  event.target.checked
                    ? [...owners, owner]
                    : owners.filter((candidate) => candidate !== owner),
                )
              }
            />{" "}
            {owner}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor="token-expires">Expires (UTC, optional)</label>
        <input
          id="token-expires"
          type="date"
          value={expires}
          onChange={(event) => setExpires(event.target.value)}
        />
      </div>
      <button type="submit" className="primary">
        Create token
      </button>
      {error === null ? null : (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {secret === null ? null : (
        <div className="notice secret" role="status">
          Token <strong>{secret.name}</strong> created. Copy it now; it is not shown again:{" "}
          <output className="mono" data-testid="new-secret">
            {secret.token}
          </output>
        </div>
      )}
    </form>
  );
}
