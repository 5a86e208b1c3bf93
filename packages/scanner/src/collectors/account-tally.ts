import type { AccountCollection, CollectionStatus, Provider } from "@plumbline/rules";

/**
 * Running record of one account's collection: resources counted, problems met and whether any
 * data arrived at all. Turns into an `AccountCollection` at the end.
 */
export class AccountTally {
  resources = 0;
  /** Something was read for the account (a page, even an empty one). */
  readSomething = false;
  /** The account could not be read at all (every region refused, first page failed). */
  failedOutright = false;
  readonly problems: string[] = [];
  readonly skippedRegions: string[] = [];
  readonly completeRegions: string[] = [];

  constructor(
    readonly provider: Provider,
    readonly account: string,
  ) {}

  /** Records a problem that keeps the account from being complete. */
  addProblem(reason: string): void {
    if (!this.problems.includes(reason)) this.problems.push(reason);
  }

  /** The status the record supports: never `complete` while a problem stands. */
  status(): CollectionStatus {
    if (this.failedOutright || (this.problems.length > 0 && !this.readSomething)) return "failed";
    return this.problems.length > 0 ? "partial" : "complete";
  }

  toCollection(): AccountCollection {
    const status = this.status();
    return {
      provider: this.provider,
      account: this.account,
      status,
      reason: status === "complete" ? null : this.problems.join("; "),
      resources: this.resources,
      skippedRegions: [...this.skippedRegions],
      completeRegions: [...this.completeRegions],
    };
  }
}
