import { ConfigServiceClient } from "@aws-sdk/client-config-service";
import { NetworkFirewallClient } from "@aws-sdk/client-network-firewall";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { emulatorAccessKeyId, type RunningEmulator } from "../../src/index.js";
import type { Json } from "./estate-files.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/** Options of the clients the tests build. */
export interface TestClientOptions {
  /** Access key id; default the emulator's key for `account`. */
  accessKeyId?: string;
  /** Attempts per call; default 1 (no retry). */
  maxAttempts?: number;
}

/** A real Config client for `account` in `region`, with fast retries when attempts > 1. */
export function createConfigClient(
  emulator: RunningEmulator,
  account: string,
  region: string,
  options: TestClientOptions = {},
): ConfigServiceClient {
  return new ConfigServiceClient({
    endpoint: emulator.awsEndpoint,
    region,
    credentials: {
      accessKeyId: options.accessKeyId ?? emulatorAccessKeyId(account),
      secretAccessKey: "emulator-secret",
    },
    retryStrategy: new ConfiguredRetryStrategy(options.maxAttempts ?? 1, (attempt) => 10 * attempt),
  });
}

/** A real Network Firewall client for `account` in `region`. */
export function createFirewallClient(
  emulator: RunningEmulator,
  account: string,
  region: string,
): NetworkFirewallClient {
  return new NetworkFirewallClient({
    endpoint: emulator.awsEndpoint,
    region,
    credentials: { accessKeyId: emulatorAccessKeyId(account), secretAccessKey: "emulator-secret" },
    maxAttempts: 1,
  });
}

/** The error a call rejected with, or a failure when it did not reject. */
export async function captureError(call: Promise<unknown>): Promise<{
  name: string;
  message: string;
  $metadata: { httpStatusCode?: number };
}> {
  try {
    await call;
  } catch (error) {
    return error as { name: string; message: string; $metadata: { httpStatusCode?: number } };
  }
  throw new Error("the call was expected to fail but succeeded");
}

/** Parses rows returned as JSON strings. */
export function parseRows(results: readonly string[] | undefined): Json[] {
  return (results ?? []).map((row) => JSON.parse(row) as Json);
}

/** Sorts rows by their JSON text, for order-free comparison. */
export function sortRows(rows: readonly Json[]): Json[] {
  return [...rows].sort((left, right) => JSON.stringify(left).localeCompare(JSON.stringify(right)));
}
