import type { CloudCallCounts } from "@plumbline/store";
import { type ApiCallCounters, apiCallCounters } from "../collectors/api-counters.js";

/**
 * Starts counting the cloud calls of one scan; the returned function gives the calls made
 * since, by provider (`azure`, `aws`).
 *
 * Limitation: the counters are shared by the whole process, so a scan that runs while another
 * one does in the same process also counts the other's calls, and calls are told apart by cloud,
 * not by service.
 */
export function startCallCount(counters: ApiCallCounters = apiCallCounters): () => CloudCallCounts {
  const start = {
    azure: { ...counters.azure },
    aws: { ...counters.aws },
  };
  return () => {
    const byService: CloudCallCounts["byService"] = {};
    let calls = 0;
    let throttled = 0;
    for (const provider of ["azure", "aws"] as const) {
      const made = counters[provider].calls - start[provider].calls;
      const throttles = counters[provider].throttles - start[provider].throttles;
      if (made === 0 && throttles === 0) continue;
      byService[provider] = { calls: made, throttled: throttles };
      calls += made;
      throttled += throttles;
    }
    return { calls, throttled, byService };
  };
}
