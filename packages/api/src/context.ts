import type { IncomingMessage, ServerResponse } from "node:http";
import type { Policy } from "@plumbline/rules";
import type { Store } from "@plumbline/store";
import type { FastifyInstance, RawServerDefault } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { Logger } from "pino";
import type { AccessScope } from "./auth/access-scope.js";
import type { ApiTokenRecord } from "./auth/token-store.js";

/** A scan requested through the API. */
export interface TriggerScanRequest {
  /** Account ids to scan; absent = every account of the policy. */
  accounts?: string[];
  /** Who asked: the token's name and id, for the job's record. */
  requestedBy: string;
}

/** Enqueues a scan; provided by the process that owns the job queue. */
export type TriggerScan = (request: TriggerScanRequest) => Promise<{ jobIds: string[] }>;

/** What `createApi` needs. */
export interface ApiOptions {
  store: Store;
  policy: Policy;
  logger: Logger;
  /** A built dashboard folder served at `/`, with index.html for every other page path. */
  dashboardDir?: string;
  /** Absent: scan-now answers 503 `queue_unavailable`. */
  triggerScan?: TriggerScan;
  /** Wall clock; token expiry, waivers and trends are judged against it. */
  clock?: () => Date;
  /**
   * Alert channels whose webhook URL is set in the server's environment: `slack` when the
   * variable the policy's `notifications.slack.webhookUrlEnv` names holds a value. Only the
   * names are passed, never a URL. Absent: none, so every channel shows `not-configured`.
   */
  channelsWithWebhook?: readonly string[];
}

/** What every route handler may use. */
export interface ApiContext {
  store: Store;
  policy: Policy;
  logger: Logger;
  clock: () => Date;
  triggerScan: TriggerScan | undefined;
  channelsWithWebhook: ReadonlySet<string>;
}

/** The authenticated caller of a request. */
export interface RequestAuth {
  token: ApiTokenRecord;
  scope: AccessScope;
}

/** Who may call a route: anyone, any valid token, or admin tokens only. */
export type RouteAccess = "public" | "read" | "admin";

declare module "fastify" {
  interface FastifyRequest {
    /** Set for every /api/v1 request that passed authentication. */
    auth: RequestAuth | null;
    /** The stable error code the request ended with, for the access log. */
    errorCode: string | null;
  }
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

/** The fastify instance with zod schemas as its type provider. */
export type ApiInstance = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  Logger,
  ZodTypeProvider
>;

/** The caller of a request that the authentication hook let through. */
export function authOf(request: { auth: RequestAuth | null }): RequestAuth {
  if (request.auth === null) throw new Error("route reached without authentication");
  return request.auth;
}
