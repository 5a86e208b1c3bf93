import type { ResolvedFaultRule } from "./settings.js";

/** Who a request is for, as far as fault rules can tell. */
export interface FaultTarget {
  /** The operation name, as counted by `requestCounts()`. */
  operation: string;
  /** AWS account id or Azure subscription ids the request is for. */
  accounts: readonly string[];
  /** AWS region of the credential scope. */
  region: string | undefined;
}

/** A fault that replaces the real answer; the protocol layer turns it into its error shape. */
export class InjectedFault extends Error {
  override readonly name = "InjectedFault";

  constructor(readonly rule: ResolvedFaultRule) {
    super(`injected ${rule.kind}`);
  }
}

/** Applies the fault rules of the estate settings, counting down each rule's `times`. */
export class FaultInjector {
  readonly #rules: { rule: ResolvedFaultRule; remaining: number }[];

  constructor(rules: readonly ResolvedFaultRule[]) {
    this.#rules = rules.map((rule) => ({
      rule,
      remaining: rule.times ?? Number.POSITIVE_INFINITY,
    }));
  }

  /** The first rule that hits this request on page `page`, consuming one of its `times`. */
  take(target: FaultTarget, page: number): ResolvedFaultRule | undefined {
    for (const entry of this.#rules) {
      if (entry.remaining <= 0 || !matchesRule(entry.rule, target, page)) continue;
      entry.remaining -= 1;
      return entry.rule;
    }
    return undefined;
  }
}

function matchesRule(rule: ResolvedFaultRule, target: FaultTarget, page: number): boolean {
  if (
    rule.operation !== undefined &&
    rule.operation.toLowerCase() !== target.operation.toLowerCase()
  )
    return false;
  if (rule.account !== undefined) {
    const wanted = rule.account.toLowerCase();
    if (!target.accounts.some((account) => account.toLowerCase() === wanted)) return false;
  }
  if (rule.region !== undefined && rule.region !== target.region) return false;
  if (rule.kind === "fail-page" && rule.page !== page) return false;
  return true;
}

/** Requests served per operation name. */
export class RequestCounter {
  readonly #counts = new Map<string, number>();

  count(operation: string): void {
    this.#counts.set(operation, (this.#counts.get(operation) ?? 0) + 1);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }
}
