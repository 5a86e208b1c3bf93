import { href, navigate, type Route } from "./routing.js";

/**
 * Reads filters from the route's query and writes changes back to the URL, so a filtered view
 * can be bookmarked and shared, and the browser's back button undoes a filter.
 */
export function useQueryFilters<Key extends string>(route: Route, keys: readonly Key[]) {
  const values = Object.fromEntries(keys.map((key) => [key, route.query.get(key) ?? ""])) as Record<
    Key,
    string
  >;
  function update(changes: Partial<Record<Key, string>>) {
    const next = new URLSearchParams(route.query);
    for (const [key, value] of Object.entries(changes) as [Key, string | undefined][]) {
      if (value === undefined || value === "") {
        next.delete(key);
      } else {
        next.set(key, value);
      }
    }
    navigate(href(route.segments, next));
  }
  /** The props that bind one filter field to its query key. */
  function field(key: Key) {
    return {
      name: key,
      value: values[key],
      onChange: (value: string) => update({ [key]: value } as Partial<Record<Key, string>>),
    };
  }
  return { values, update, field };
}
