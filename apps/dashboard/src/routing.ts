import { useSyncExternalStore } from "react";

/**
 * The page the dashboard shows, read from the URL's hash (`#/findings?control=…`). Hash routing
 * keeps every page addressable while the API serves one static `index.html` at `/`.
 */
export interface Route {
  /** Path segments after `#/`, decoded: `["findings", "42"]`. */
  segments: string[];
  /** Query parameters after `?` in the hash. */
  query: URLSearchParams;
}

function readHash(): string {
  return window.location.hash.replace(/^#/, "") || "/";
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

/** Parses a hash path such as `/findings/42?tenant=retail`. */
export function parseRoute(hash: string): Route {
  const [path = "/", search = ""] = hash.split("?", 2);
  const segments = path
    .split("/")
    .filter((segment) => segment !== "")
    .map((segment) => decodeURIComponent(segment));
  return { segments, query: new URLSearchParams(search) };
}

/** Builds a hash href from path segments and optional query values (empty values are left out). */
export function href(
  segments: string[],
  query: Record<string, string | undefined> | URLSearchParams = {},
): string {
  const params =
    query instanceof URLSearchParams
      ? query
      : new URLSearchParams(
          Object.entries(query).filter((entry): entry is [string, string] => Boolean(entry[1])),
        );
  const path = segments.map((segment) => encodeURIComponent(segment)).join("/");
  const search = params.toString();
  return `#/${path}${search === "" ? "" : `?${search}`}`;
}

/** The current route; components re-render when the hash changes. */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, readHash, () => "/");
  return parseRoute(hash);
}

/** Moves to another page; `replace` keeps the browser history free of filter keystrokes. */
export function navigate(target: string, options: { replace?: boolean } = {}): void {
  if (options.replace === true) {
    window.history.replaceState(null, "", target);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    return;
  }
  window.location.hash = target.replace(/^#/, "");
}
