import { ownersOfAccount, type Policy } from "@plumbline/rules";
import type { Store } from "@plumbline/store";
import type { Logger } from "pino";
import { deliverPendingAlerts } from "../notify/index.js";
import { runInventory } from "../pipeline/run-inventory.js";
import { runOwnerEvaluation } from "../pipeline/run-owner-evaluation.js";
import type { CloudAccess } from "../pipeline/run-scan.js";
import { closeAbandonedScans } from "./abandoned-scans.js";
import type { JobHandlers } from "./workers.js";

/** What the pipeline's job handlers need. */
export interface PipelineHandlersOptions {
  policy: Policy;
  cloud: CloudAccess;
  store: Store;
  logger: Logger;
  /** Where alerts go; null when the policy configures no Slack or its URL is not set. */
  slack: { webhookUrl: string; dashboardUrl: string } | null;
  /** Wall clock for timestamps and the evaluation date; a real one when absent. */
  clock?: () => Date;
}

/** A discovery that could not list every cloud it asked. */
class IncompleteDiscoveryError extends Error {
  constructor(errors: string[]) {
    super(`account discovery incomplete: ${errors.join("; ")}`);
    this.name = "IncompleteDiscoveryError";
  }
}

/** The job handlers over the real pipeline: collectors, store, evaluation and Slack. */
export function createPipelineHandlers(options: PipelineHandlersOptions): JobHandlers {
  const { policy, cloud, store, slack } = options;
  const clock = options.clock ?? (() => new Date());

  return {
    async inventory(payload, context) {
      const result = await runInventory({
        policy,
        account: { provider: payload.provider, id: payload.account },
        cloud,
        store,
        trigger: payload.trigger,
        logger: context.logger,
        clock,
      });
      return { scanId: result.scanId };
    },

    async evaluate(payload, context) {
      const result = await runOwnerEvaluation({
        policy,
        owner: payload.owner,
        store,
        now: clock(),
        trigger: payload.trigger,
        logger: context.logger,
        clock,
      });
      return { scanId: result.scanId, alerts: result.alerts };
    },

    async notify(_payload, context) {
      if (slack === null) {
        context.logger.warn("Slack is not configured; alerts stay pending");
        return { delivered: 0, pending: 0 };
      }
      return deliverPendingAlerts({
        store,
        channel: "slack",
        webhookUrl: slack.webhookUrl,
        dashboardUrl: slack.dashboardUrl,
        logger: context.logger,
        now: clock,
      });
    },

    async discover(payload, context) {
      // A worker killed mid-job leaves its scan `running`; once a round, such scans are closed.
      const abandoned = await closeAbandonedScans(store, clock());
      if (abandoned.length > 0) {
        context.logger.warn({ scanIds: abandoned }, "abandoned worker scans marked failed");
      }
      const discovery = await cloud.discoverAccounts();
      // Evaluating against a partial list would resolve the findings of unmapped accounts
      // that were merely not listed; the job is retried instead.
      if (discovery.errors.length > 0) {
        throw new IncompleteDiscoveryError(discovery.errors);
      }
      const unmapped = discovery.accounts.filter(
        (account) => ownersOfAccount(policy, account.provider, account.account).length === 0,
      );
      const result = await runOwnerEvaluation({
        policy,
        owner: null,
        store,
        now: clock(),
        trigger: payload.trigger,
        logger: context.logger,
        unmapped,
        clock,
      });
      return { scanId: result.scanId, unmapped: unmapped.length, alerts: result.alerts };
    },
  };
}
