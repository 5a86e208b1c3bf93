import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type EstateSettings, type RunningEmulator, startEmulator } from "@plumbline/emulator";
import type { CanonicalResource } from "@plumbline/rules";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import {
  type ApiCallCounters,
  type AwsClients,
  type AzureClients,
  createApiCallCounters,
  createAwsClients,
  createAzureClients,
} from "../src/collectors/index.js";

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), "../../..");

/** The fixtures copied into the repository. */
export const fixturesDir = join(repositoryRoot, "test-data/fixtures");

/** The known-verdict estate copied into the repository. */
export const casesEstateDir = join(repositoryRoot, "test-data/cases/estate");

/** The subscription and AWS account of the case estate and the fixtures. */
export const SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
export const AWS_ACCOUNT = "111122223333";

/** Reads a fixture file as JSON. */
export async function readFixture<T = unknown>(relativePath: string): Promise<T> {
  return JSON.parse(await readFile(join(fixturesDir, relativePath), "utf8")) as T;
}

/** A temporary estate directory with its documents written as given. */
export interface TemporaryEstate {
  dir: string;
  /** Writes `azure/<name>` or `aws/<name>` (one document, an array or a list envelope). */
  write(relativePath: string, content: unknown): Promise<void>;
  remove(): Promise<void>;
}

/** Creates an empty estate directory, optionally seeded with the case estate. */
export async function createEstate(
  options: { withCases?: boolean } = {},
): Promise<TemporaryEstate> {
  const dir = await mkdtemp(join(tmpdir(), "plumbline-collectors-"));
  if (options.withCases) await cp(casesEstateDir, dir, { recursive: true });
  return {
    dir,
    async write(relativePath, content) {
      const path = join(dir, relativePath);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, JSON.stringify(content, null, 2));
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A running emulator with real SDK clients pointed at it, using fast retries. */
export interface EmulatedClouds {
  emulator: RunningEmulator;
  azure: AzureClients;
  aws: AwsClients;
  counters: ApiCallCounters;
  close(): Promise<void>;
}

/** Starts the emulator on an estate and builds estate-mode clients with fast retries. */
export async function startClouds(
  estateDir: string,
  settings?: EstateSettings,
): Promise<EmulatedClouds> {
  const emulator = await startEmulator({ estateDir, ...(settings ? { settings } : {}) });
  const counters = createApiCallCounters();
  const azure = createAzureClients({
    estate: emulator,
    retryOptions: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
    counters,
  });
  const aws = createAwsClients({
    estate: emulator,
    retryStrategy: new ConfiguredRetryStrategy(4, (attempt) => 10 * attempt),
    counters,
  });
  return {
    emulator,
    azure,
    aws,
    counters,
    async close() {
      aws.destroy();
      await emulator.close();
    },
  };
}

/** Collects every page handed to `onResources`, and records sleeps instead of waiting. */
export function createRecorder() {
  const pages: CanonicalResource[][] = [];
  const sleeps: number[] = [];
  return {
    pages,
    sleeps,
    onResources: async (page: CanonicalResource[]) => {
      pages.push(page);
    },
    sleep: async (milliseconds: number) => {
      sleeps.push(milliseconds);
    },
    resources: () => pages.flat(),
    byName: (name: string) => pages.flat().find((resource) => resource.name === name),
  };
}

/** Generates `count` storage account documents in one subscription. */
export function generateStorageAccounts(subscription: string, count: number) {
  return Array.from({ length: count }, (_, index) => {
    const name = `stgen${String(index).padStart(5, "0")}`;
    return {
      id: `/subscriptions/${subscription}/resourceGroups/rg-gen/providers/Microsoft.Storage/storageAccounts/${name}`,
      name,
      type: "Microsoft.Storage/storageAccounts",
      location: "westeurope",
      kind: "StorageV2",
      sku: { name: "Standard_LRS" },
      properties: { publicNetworkAccess: "Disabled", allowSharedKeyAccess: false },
      tags: { generated: "true" },
    };
  });
}
