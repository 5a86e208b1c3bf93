import { describe, expect, it } from "vitest";
import { trendDates, trendOf } from "./posture.js";
import { emptyCounts } from "./verdict-counts.js";

describe("posture trend", () => {
  it("covers thirty UTC days ending today", () => {
    const dates = trendDates(new Date("2026-12-03T23:30:00+01:00"));
    expect(dates).toHaveLength(30);
    expect(dates[0]).toBe("2026-11-04");
    expect(dates.at(-1)).toBe("2026-12-03");
  });

  it("carries the last evaluation of each day forward and is null before the first", () => {
    const first = { ...emptyCounts(), fail: 3 };
    const second = { ...emptyCounts(), fail: 1, pass: 2 };
    const trend = trendOf(
      [
        { at: new Date("2026-12-02T10:00:00Z"), counts: second },
        { at: new Date("2026-11-30T23:59:59Z"), counts: first },
      ],
      ["2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03"],
    );
    expect(trend.map((point) => point.counts?.fail ?? null)).toEqual([null, 3, 3, 1, 1]);
    expect(trend[3]?.counts?.pass).toBe(2);
  });
});
