import type { DiscoveredAccount } from "@plumbline/rules";
import { type Logger, pino } from "pino";
import { readArmList } from "./arm-list.js";
import { type AwsAggregator, listAggregatedAccounts } from "./aws-collector.js";
import type { AwsClients, AzureClients } from "./clients.js";
import { describeError } from "./errors.js";

/** api-version of the subscription list. */
const SUBSCRIPTIONS_API_VERSION = "2022-12-01";

/** Options of `discoverAccounts`; each cloud is asked only when its part is given. */
export interface DiscoverOptions {
  /** List every subscription the Azure credential can see. */
  azure?: { clients: AzureClients };
  /** List every account the AWS Config aggregator holds items for. */
  aws?: { clients: AwsClients; aggregator: AwsAggregator };
  logger?: Logger;
}

/** What discovery found, and why a cloud could not be asked. */
export interface DiscoverResult {
  /** Accounts found, Azure first, each once. */
  accounts: DiscoveredAccount[];
  /** One sentence per cloud that could not be listed; discovery itself never throws for it. */
  errors: string[];
  /** The clouds whose account lists were read completely, so that absence from them is a fact. */
  listed: { azure: boolean; aws: boolean };
}

/**
 * Lists the accounts the clouds report, whether or not the policy maps them: Azure
 * subscriptions (`GET /subscriptions`, every page) and the accounts of the AWS aggregator
 * (`SELECT accountId, COUNT(*) GROUP BY accountId`). A cloud that cannot be listed is reported
 * in `errors` while the other is still listed.
 */
export async function discoverAccounts(options: DiscoverOptions): Promise<DiscoverResult> {
  const logger = options.logger ?? pino({ level: "silent" });
  const accounts: DiscoveredAccount[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  const listed = { azure: false, aws: false };
  const add = (account: DiscoveredAccount) => {
    const key = `${account.provider}/${account.account}`;
    if (seen.has(key)) return;
    seen.add(key);
    accounts.push(account);
  };

  if (options.azure) {
    try {
      await readArmList(
        options.azure.clients.arm,
        `/subscriptions?api-version=${SUBSCRIPTIONS_API_VERSION}`,
        async (documents) => {
          for (const document of documents) {
            const id = subscriptionIdOf(document);
            if (id) add({ provider: "azure", account: id });
          }
        },
      );
      listed.azure = true;
    } catch (error) {
      const reason = `Azure subscriptions could not be listed: ${describeError(error)}`;
      logger.warn({ reason }, "azure discovery failed");
      errors.push(reason);
    }
  }

  if (options.aws) {
    const { clients, aggregator } = options.aws;
    try {
      const client = clients.config(aggregator.account, aggregator.region);
      for (const account of await listAggregatedAccounts(client, aggregator.name)) {
        add({ provider: "aws", account });
      }
      listed.aws = true;
    } catch (error) {
      const reason =
        `AWS accounts of aggregator ${aggregator.name} could not be listed: ` +
        describeError(error);
      logger.warn({ reason }, "aws discovery failed");
      errors.push(reason);
    }
  }

  logger.info({ accounts: accounts.length, errors: errors.length }, "accounts discovered");
  return { accounts, errors, listed };
}

/** The subscription id of a subscription document, lower-cased. */
function subscriptionIdOf(document: Record<string, unknown>): string | null {
  if (typeof document.subscriptionId === "string" && document.subscriptionId !== "") {
    return document.subscriptionId.toLowerCase();
  }
  const match =
    typeof document.id === "string" ? document.id.match(/^\/subscriptions\/([^/]+)$/i) : null;
  return match?.[1]?.toLowerCase() ?? null;
}
