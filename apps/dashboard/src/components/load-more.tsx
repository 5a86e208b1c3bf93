/**
 * Asks a keyset-paginated list for its next page; absent once the last page is loaded. The
 * label says what comes next ("Show older scans"), and turns to "Loading…" while it loads.
 */
export function LoadMoreButton({
  list,
  label,
}: {
  list: { hasMore: boolean; loadingMore: boolean; loadMore: () => void };
  label: string;
}) {
  if (!list.hasMore) {
    return null;
  }
  return (
    <button type="button" className="load-more" onClick={list.loadMore} disabled={list.loadingMore}>
      {list.loadingMore ? "Loading…" : label}
    </button>
  );
}
