/** Counts of findings by verdict, as the API shows them. */
export interface VerdictCounts {
  pass: number;
  fail: number;
  error: number;
  waived: number;
  notApplicable: number;
}

export function emptyCounts(): VerdictCounts {
  return { pass: 0, fail: 0, error: 0, waived: 0, notApplicable: 0 };
}

/** Adds `amount` findings of a verdict to the counts. */
export function addVerdict(counts: VerdictCounts, verdict: string, amount: number): void {
  if (verdict === "not-applicable") counts.notApplicable += amount;
  else if (
    verdict === "pass" ||
    verdict === "fail" ||
    verdict === "error" ||
    verdict === "waived"
  ) {
    counts[verdict] += amount;
  }
}
