import type { OwnerPosture } from "../api/types.js";

type TrendPoint = OwnerPosture["trend"][number];

const width = 240;
const height = 56;

/** Open (fail + error) findings of each day, null before the first evaluation. */
function openCount(point: TrendPoint): number | null {
  return point.counts === null ? null : point.counts.fail + point.counts.error;
}

/**
 * A small line of open findings over the last 30 days. The chart is decoration for sighted
 * readers; the sentence beside it carries the same facts for everyone.
 */
export function TrendChart({ trend, label }: { trend: TrendPoint[]; label: string }) {
  const values = trend.map(openCount);
  const known = values.filter((value): value is number => value !== null);
  if (known.length === 0) {
    return <p className="muted trend-summary">No evaluations in the last 30 days.</p>;
  }
  const max = Math.max(1, ...known);
  const step = trend.length > 1 ? width / (trend.length - 1) : width;
  const points = values
    .map((value, index) =>
      value === null
        ? null
        : `${(index * step).toFixed(1)},${(height - 4 - (value / max) * (height - 8)).toFixed(1)}`,
    )
    .filter((point): point is string => point !== null);
  const first = known[0] ?? 0;
  const last = known[known.length - 1] ?? 0;
  const firstDate = trend.find((point) => point.counts !== null)?.date ?? "";
  const direction = last < first ? "down" : last > first ? "up" : "unchanged";
  return (
    <figure className="trend">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        aria-hidden="true"
        focusable="false"
      >
        <line x1="0" x2={width} y1={height - 4} y2={height - 4} className="trend-axis" />
        {points.length === 1 ? (
          <circle
            cx={points[0]?.split(",")[0]}
            cy={points[0]?.split(",")[1]}
            r="3"
            className={`trend-dot trend-${direction}`}
          />
        ) : (
          <polyline points={points.join(" ")} className={`trend-line trend-${direction}`} />
        )}
      </svg>
      <figcaption className="trend-summary">
        {known.length === 1
          ? `${label}: ${last}, from the first evaluation on ${firstDate}; no trend yet.`
          : `${label}: ${first} on ${firstDate}, ${last} now (${direction}).`}
      </figcaption>
    </figure>
  );
}
