import type { CanonicalResource, CollectionStatus, Provider } from "@plumbline/rules";
import type { Logger } from "pino";

/**
 * Receives each page of canonical resources as soon as it is read. The collector awaits it
 * before it fetches the next page, so a slow consumer slows the collection instead of letting
 * pages pile up in memory.
 */
export type ResourcePageHandler = (page: CanonicalResource[]) => Promise<void>;

/** One step of a collection, for a progress display. */
export type CollectorProgressEvent =
  | {
      kind: "page";
      provider: Provider;
      /** The cloud operation that delivered the page (`Resource Graph`, `SelectResourceConfig`). */
      operation: string;
      /** The accounts the page belongs to (an ARG page spans a batch of subscriptions). */
      accounts: string[];
      /** AWS region of the page; null for Azure and for aggregated AWS queries. */
      region: string | null;
      /** Number of resources in the page. */
      resources: number;
    }
  | {
      kind: "account";
      provider: Provider;
      account: string;
      status: CollectionStatus;
      /** Number of resources collected for the account. */
      resources: number;
    };

/** Options shared by every collector. */
export interface CollectorCommonOptions {
  /** Consumer of resource pages; awaited per page. */
  onResources: ResourcePageHandler;
  /** Optional progress observer; called synchronously, must not throw. */
  onProgress?: (event: CollectorProgressEvent) => void;
  /** Logger for lifecycle steps and expected failures; silent when absent. */
  logger?: Logger;
  /**
   * Waits the given number of milliseconds; used for quota back-off. Defaults to a real timer;
   * tests pass a fast one so they do not sit out real quota windows.
   */
  sleep?: (milliseconds: number) => Promise<void>;
}
