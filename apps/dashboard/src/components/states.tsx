import type { ReactNode } from "react";
import type { Loadable } from "../use-api.js";
import { PageHeader } from "./page-header.js";

/** Announced to screen readers while data loads. */
export function Loading({ what }: { what: string }) {
  return (
    <p className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function ErrorNotice({ message, code }: { message: string; code?: string }) {
  return (
    <div className="state state-error" role="alert">
      <strong>Could not load this page.</strong> {message}
      {code === undefined ? null : <span className="code"> ({code})</span>}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state state-empty">{children}</p>;
}

/**
 * Renders the loading or error state, or the page once the data is there. Pages whose heading
 * comes from the data pass `title`, so the page has a heading while it loads or fails.
 */
export function Loaded<T>({
  state,
  what,
  title,
  children,
}: {
  state: Loadable<T>;
  what: string;
  title?: string;
  children: (data: T) => ReactNode;
}) {
  if (state.phase === "ready") {
    return <>{children(state.data)}</>;
  }
  return (
    <>
      {title === undefined ? null : <PageHeader title={title} />}
      {state.phase === "loading" ? (
        <Loading what={what} />
      ) : (
        <ErrorNotice message={state.message} code={state.code} />
      )}
    </>
  );
}
