import { useCallback, useEffect, useRef, useState } from "react";
import type { QueryValues, ResponseSchema } from "./api/client.js";
import { useSession } from "./session.js";
import { describeFailure, type Loadable } from "./use-api.js";

interface Page {
  items: unknown[];
  nextCursor: string | null;
}

/** A keyset-paginated list: the first page loads with the filters, later pages on request. */
export interface PagedList<Response extends Page> {
  /** `items` holds every page loaded so far; `first` is the first page (totals live there). */
  state: Loadable<{ items: Response["items"]; first: Response }>;
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
}

/**
 * Loads the first page of `path` whenever the filters change and appends later pages with the
 * cursor the previous page returned (cursors are only valid with the same filters).
 */
export function usePagedApi<Response extends Page>(
  path: string,
  schema: ResponseSchema<Response>,
  query: QueryValues,
  /**
   * Changing it loads the first page again (after a change the page made itself); the list
   * loaded so far stays on screen until the new page replaces it.
   */
  refresh = 0,
): PagedList<Response> {
  const { api } = useSession();
  const [state, setState] = useState<Loadable<{ items: Response["items"]; first: Response }>>({
    phase: "loading",
  });
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const key = JSON.stringify([path, query]);
  const shownKey = useRef<string | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for path and query; schemas are module constants.
  useEffect(() => {
    const controller = new AbortController();
    if (shownKey.current !== key) {
      setState({ phase: "loading" });
      setCursor(null);
    }
    api
      .get(path, schema, query, controller.signal)
      .then((page) => {
        shownKey.current = key;
        setState({ phase: "ready", data: { items: page.items, first: page } });
        setCursor(page.nextCursor);
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) {
          setState(describeFailure(error));
        }
      });
    return () => controller.abort();
  }, [api, key, refresh]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for path and query.
  const loadMore = useCallback(() => {
    if (cursor === null || state.phase !== "ready") {
      return;
    }
    setLoadingMore(true);
    api
      .get(path, schema, { ...query, cursor })
      .then((page) => {
        setState((previous) =>
          previous.phase === "ready"
            ? {
                phase: "ready",
                data: {
                  items: [...previous.data.items, ...page.items],
                  first: previous.data.first,
                },
              }
            : previous,
        );
        setCursor(page.nextCursor);
      })
      .catch((error: unknown) => setState(describeFailure(error)))
      .finally(() => setLoadingMore(false));
  }, [api, key, cursor, state.phase]);

  return { state, hasMore: cursor !== null, loadingMore, loadMore };
}
