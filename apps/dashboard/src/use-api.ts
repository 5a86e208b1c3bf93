import { useEffect, useState } from "react";
import { ApiError, type QueryValues, type ResponseSchema } from "./api/client.js";
import { useSession } from "./session.js";

/** What a page knows about one API answer while it loads. */
export type Loadable<T> =
  | { phase: "loading" }
  | { phase: "error"; message: string; code: string }
  | { phase: "ready"; data: T };

/**
 * Loads `GET path` and reloads when the path or query changes; a newer request cancels the
 * older one so a slow answer never overwrites a fresh one.
 */
export function useApi<T>(
  path: string | null,
  schema: ResponseSchema<T>,
  query: QueryValues = {},
  /** Changing it loads again (after a change the page made itself). */
  refresh = 0,
): Loadable<T> {
  const { api } = useSession();
  const [state, setState] = useState<Loadable<T>>({ phase: "loading" });
  const key = JSON.stringify([path, query, refresh]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for path, query and refresh; schemas are module constants.
  useEffect(() => {
    if (path === null) {
      return;
    }
    const controller = new AbortController();
    setState({ phase: "loading" });
    api
      .get(path, schema, query, controller.signal)
      .then((data) => setState({ phase: "ready", data }))
      .catch((error: unknown) => {
        if (controller.signal.aborted) {
          return;
        }
        setState(describeFailure(error));
      });
    return () => controller.abort();
  }, [api, key]);

  return state;
}

export function describeFailure(error: unknown): { phase: "error"; message: string; code: string } {
  if (error instanceof ApiError) {
    return { phase: "error", message: error.message, code: error.code };
  }
  return {
    phase: "error",
    message: "The dashboard could not reach the Plumbline API.",
    code: "network",
  };
}
