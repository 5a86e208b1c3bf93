import type { TriggerScan } from "@plumbline/api";
import type { Policy } from "@plumbline/rules";
import { createJobQueues, enqueueScanNow, type JobQueues } from "@plumbline/scanner";
import { readNamedSecret } from "../config.js";
import { locateDashboardDir } from "../dashboard-dir.js";
import { ExitCode, type ExitCodeValue, UsageError } from "../errors.js";
import type { CommandIo } from "./command-io.js";
import { loadPolicyForCommand } from "./load-policy.js";
import {
  type ListeningApi,
  listenApi,
  openCommandStore,
  parsePort,
  waitForStopSignal,
} from "./runtime.js";

export interface ServeCommandOptions {
  policy: string;
  port: string;
  host: string;
  db?: string;
}

/** A running API server and how to stop it. */
export type RunningServer = ListeningApi;

/** The built dashboard, or undefined (the API alone is served) when it has not been built. */
function dashboardDirOrNothing(io: CommandIo): string | undefined {
  try {
    return locateDashboardDir();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`warning: ${error.message}; serving the API only\n`);
    return undefined;
  }
}

/** The alert channels whose webhook URL this process's environment holds; the URL stays here. */
function channelsWithWebhook(policy: Policy): string[] {
  const slack = policy.notifications.slack;
  return slack !== null && readNamedSecret(slack.webhookUrlEnv) !== undefined ? ["slack"] : [];
}

/**
 * Starts the API (and the dashboard, when built) over the store. Scan-now goes to the job
 * queues when REDIS_URL is set; without it the route answers 503 `queue_unavailable`.
 */
export async function startServer(
  options: ServeCommandOptions,
  io: CommandIo,
): Promise<RunningServer | null> {
  const port = parsePort(options.port);
  const policy = await loadPolicyForCommand(options.policy, io.clock(), io);
  if (policy === null) return null;

  const store = await openCommandStore(options.db, io);
  let queues: JobQueues | undefined;
  try {
    const redisUrl = io.env.REDIS_URL;
    const prefix = io.env.PLUMBLINE_QUEUE_PREFIX;
    queues =
      redisUrl === undefined
        ? undefined
        : createJobQueues({ connection: redisUrl, ...(prefix ? { prefix } : {}) });
    const open = queues;
    const triggerScan: TriggerScan | undefined =
      open === undefined
        ? undefined
        : (request) =>
            enqueueScanNow(open, policy, {
              ...(request.accounts === undefined ? {} : { accounts: request.accounts }),
              requestedBy: request.requestedBy,
            });
    const dashboardDir = dashboardDirOrNothing(io);
    const api = await listenApi(
      {
        store,
        policy,
        logger: io.logger,
        clock: io.clock,
        channelsWithWebhook: channelsWithWebhook(policy),
        ...(dashboardDir === undefined ? {} : { dashboardDir }),
        ...(triggerScan === undefined ? {} : { triggerScan }),
      },
      { port, host: options.host },
    );
    return {
      url: api.url,
      close: async () => {
        await api.close();
        await open?.close();
        await store.close();
      },
    };
  } catch (error) {
    await queues?.close();
    await store.close();
    throw error;
  }
}

/** `plumbline serve`: the API and dashboard until SIGINT or SIGTERM. */
export async function serveCommand(
  options: ServeCommandOptions,
  io: CommandIo,
  untilStopped: () => Promise<unknown> = waitForStopSignal,
): Promise<ExitCodeValue> {
  const server = await startServer(options, io);
  if (server === null) return ExitCode.usageOrInput;
  io.stdout.write(`Plumbline API listening on ${server.url} (OpenAPI: ${server.url}/api/docs)\n`);
  await untilStopped();
  await server.close();
  return ExitCode.ok;
}
