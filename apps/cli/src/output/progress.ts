import type { Writable } from "node:stream";
import type { CollectorProgressEvent, ScanSummary } from "@plumbline/scanner";

export interface ProgressDisplay {
  update: (event: CollectorProgressEvent) => void;
  finish: (summary: ScanSummary) => void;
}

/**
 * Shows collection progress on stderr. At a terminal one line is redrawn as pages arrive; in a
 * log (CI, a pipe) only each account's result is written, one line each.
 */
export function createProgressDisplay(err: Writable, interactive: boolean): ProgressDisplay {
  let resources = 0;
  let pages = 0;
  let accountsDone = 0;
  const redraw = (): void => {
    err.write(
      `\rcollecting: ${resources} resources in ${pages} pages, ${accountsDone} accounts done`,
    );
  };
  return {
    update(event) {
      if (event.kind === "page") {
        resources += event.resources;
        pages += 1;
        if (interactive) {
          redraw();
        }
        return;
      }
      accountsDone += 1;
      if (interactive) {
        redraw();
      } else {
        err.write(
          `collected ${event.provider} ${event.account}: ${event.status}, ${event.resources} resources\n`,
        );
      }
    },
    finish(summary) {
      if (interactive) {
        err.write("\n");
      }
      const { pass, fail, error, waived } = summary.verdicts;
      const notApplicable = summary.verdicts["not-applicable"];
      err.write(
        `scan ${summary.status}: ${summary.accounts.length} accounts, ${resources} resources; ` +
          `${pass} pass, ${fail} fail, ${error} error, ${waived} waived, ` +
          `${notApplicable} not applicable\n`,
      );
      if (summary.stale > 0 || summary.events > 0) {
        err.write(
          `drift: ${summary.events} events since the previous scan; ` +
            `${summary.stale} findings carried on as stale\n`,
        );
      }
    },
  };
}
