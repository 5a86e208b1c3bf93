import { type FormEvent, useEffect, useRef, useState } from "react";
import { ApiError } from "../api/client.js";

/** Sign-in with an API token; the token is checked with the API before it is kept. */
export function SignInPage({
  notice,
  onSignIn,
}: {
  notice: string | null;
  onSignIn: (token: string) => Promise<void>;
}) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    document.title = "Sign in · Plumbline";
    input.current?.focus();
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const value = token.trim();
    if (value === "") {
      setError("Enter the token you were given.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSignIn(value);
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.status === 401
          ? "This token is not valid: it may have expired or been revoked."
          : "The Plumbline API did not answer. Try again in a moment.",
      );
      setBusy(false);
    }
  }

  return (
    <main className="sign-in" id="main">
      <form className="sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title" noValidate>
        <p className="brand-mark" aria-hidden="true">
          ▍Plumbline
        </p>
        <h1 id="sign-in-title">Sign in</h1>
        <p className="muted">
          Use the API token you were given. It stays in this browser tab only and is sent to the
          Plumbline API with each request.
        </p>
        {notice === null ? null : (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <label htmlFor="token">API token</label>
        <input
          ref={input}
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(event) => setToken(event.target.value)}
          aria-invalid={error !== null}
          aria-describedby={error === null ? undefined : "token-error"}
        />
        {error === null ? null : (
          <p id="token-error" className="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Checking…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
