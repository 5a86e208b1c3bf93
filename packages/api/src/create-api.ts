import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import { classifyError } from "@plumbline/store";
import Fastify, { type FastifyError, LogController } from "fastify";
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import { authenticate, authorize, needsToken } from "./auth/authenticate.js";
import type { ApiContext, ApiInstance, ApiOptions } from "./context.js";
import { ApiError } from "./errors.js";
import { recordAccess, routePattern } from "./http/access-log.js";
import {
  answerClientError,
  answerFrameworkError,
  clientErrorMessage,
  codeOfStatus,
  hasOverlongSegment,
  isApiPath,
  MAX_PATH_SEGMENT_LENGTH,
  sendError,
} from "./http/error-answers.js";
import { allowNullInNullableEnums } from "./http/openapi-nullable.js";
import { createMetrics } from "./metrics/metrics.js";
import { registerAccessLogRoutes } from "./routes/access-log.js";
import { registerControlRoutes } from "./routes/controls.js";
import { registerDataflowRoutes } from "./routes/dataflow.js";
import { registerDriftRoutes } from "./routes/drift.js";
import { registerExportRoutes } from "./routes/exports.js";
import { registerFindingRoutes } from "./routes/findings.js";
import { registerHealthRoutes } from "./routes/health.js";
import { registerMeRoutes } from "./routes/me.js";
import { registerNotificationRoutes } from "./routes/notifications.js";
import { registerPostureRoutes } from "./routes/posture.js";
import { registerResourceRoutes } from "./routes/resources.js";
import { registerScanRoutes } from "./routes/scans.js";
import { registerTenantRoutes } from "./routes/tenants.js";
import { registerTokenRoutes } from "./routes/tokens.js";
import { registerWaiverRoutes } from "./routes/waivers.js";

/** The version of the API document; the path prefix carries the major version. */
const API_VERSION = "1.0.0";

/** A message for a request the schema refused, naming fields but quoting no values. */
function validationMessage(error: FastifyError): string {
  const issues = (error.validation ?? []).slice(0, 5).map((issue) => {
    const path = issue.instancePath.replace(/^\//, "").replaceAll("/", ".");
    const where = [error.validationContext, path].filter((part) => part).join(".");
    return `${where}: ${issue.message ?? "is not valid"}`;
  });
  return issues.length > 0 ? issues.join("; ") : "the request is not valid";
}

/** The PostgreSQL SQLSTATE on an error or its causes (drizzle wraps driver errors). */
function findSqlState(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Builds the API: the versioned JSON routes, health and metrics, the OpenAPI document and the
 * dashboard. The instance is returned unstarted; call `listen` or `inject`.
 */
export async function createApi(options: ApiOptions): Promise<ApiInstance> {
  const context: ApiContext = {
    store: options.store,
    policy: options.policy,
    logger: options.logger,
    clock: options.clock ?? (() => new Date()),
    triggerScan: options.triggerScan,
    channelsWithWebhook: new Set(options.channelsWithWebhook ?? []),
  };
  const app = Fastify({
    loggerInstance: options.logger.child({ component: "api" }),
    // One structured line per request is written by the onResponse hook instead.
    logController: new LogController({ disableRequestLogging: true }),
    // Finding ids and resource refs carry whole cloud ids, base64url-encoded, in the path.
    routerOptions: { maxParamLength: MAX_PATH_SEGMENT_LENGTH },
    // What fastify and Node refuse before any route runs answers in the API's error shape too.
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: (error, socket) => answerClientError(options.logger, error, socket),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest("auth", null);
  app.decorateRequest("errorCode", null);

  const metrics = createMetrics(context);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) {
      return sendError(request, reply, error.status, error.code, error.message);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      return sendError(request, reply, 400, "bad_request", validationMessage(error));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendError(
        request,
        reply,
        status,
        codeOfStatus(status),
        clientErrorMessage(error, status),
      );
    }
    // A value the client sent that the database cannot take (a NUL character, a forged cursor
    // holding a non-date) is the client's error, and no reason to log SQL at error level.
    const sqlState = findSqlState(error);
    if (sqlState?.startsWith("22")) {
      request.log.warn({ sqlState, route: routePattern(request) }, "request value refused");
      return sendError(request, reply, 400, "bad_request", "a parameter holds an unreadable value");
    }
    // An unreachable database is an outage, not a fault of the request: 503 tells clients and
    // proxies to retry later, and the driver's text (host, port, SQL) stays in the log.
    if (classifyError(error) === "connection") {
      request.log.error({ err: error, route: routePattern(request) }, "database unavailable");
      return sendError(
        request,
        reply,
        503,
        "unavailable",
        "the database is unavailable; try again later",
      );
    }
    // Database errors carry SQL and stack traces: they go to the log only.
    request.log.error({ err: error, route: routePattern(request) }, "request failed");
    return sendError(request, reply, 500, "internal_error", "the request could not be completed");
  });

  app.setNotFoundHandler(async (request, reply) => {
    const isPage =
      options.dashboardDir !== undefined &&
      (request.method === "GET" || request.method === "HEAD") &&
      !isApiPath(request.url);
    if (isPage) {
      // A page of the single-page dashboard: its router resolves the path in the browser.
      return reply.header("cache-control", "no-cache").sendFile("index.html");
    }
    return sendError(request, reply, 404, "not_found", "no such route");
  });

  // A versioned route that forgot to say who may call it would be open: refuse to start.
  app.addHook("onRoute", (route) => {
    const access = (route.config as { access?: string } | undefined)?.access;
    if (needsToken(route.url) && access !== "read" && access !== "admin") {
      throw new Error(`route ${route.method} ${route.url} declares no read or admin access`);
    }
  });

  // The route's own declaration decides, whatever spelling of the URL reached it; unmatched
  // /api/v1 paths authenticate too, so their 404 is logged against the token. Both checks run
  // before the body is parsed, so a refused caller learns nothing from it.
  app.addHook("onRequest", async (request) => {
    const access = request.routeOptions.config.access;
    const guarded =
      access === "read" || access === "admin" || (access === undefined && needsToken(request.url));
    if (!guarded) return;
    await authenticate(request, context);
    authorize(request);
  });
  // The dashboard's catch-all matches every path no API route does: an /api path that reaches
  // it is an unknown API route (or one the router refused for a segment's length), never a file.
  app.addHook("onRequest", async (request, reply) => {
    if (request.routeOptions.url !== "/*" || !isApiPath(request.url)) return;
    if (hasOverlongSegment(request.url)) {
      throw new ApiError(414, "bad_request", "the URL is too long");
    }
    return reply.callNotFound();
  });
  app.addHook("onSend", async (request, reply, payload) => {
    if (request.url.startsWith("/api/")) {
      reply.header("cache-control", "no-store");
      reply.header("x-content-type-options", "nosniff");
    }
    await recordAccess(request, reply, context);
    return payload;
  });
  app.addHook("onResponse", async (request, reply) => {
    metrics.observeRequest(request, reply);
    request.log.debug(
      {
        method: request.method,
        route: routePattern(request),
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime),
        tokenId: request.auth?.token.id ?? null,
      },
      "request answered",
    );
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "Plumbline API",
        version: API_VERSION,
        description:
          "Read-only posture, findings, evidence and drift of the landing zones Plumbline " +
          "watches, and admin actions. Every /api/v1 route needs a bearer token.",
      },
      components: {
        securitySchemes: { bearerAuth: { type: "http", scheme: "bearer" } },
      },
      security: [{ bearerAuth: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (input) => allowNullInNullableEnums(jsonSchemaTransformObject(input)),
  });

  registerHealthRoutes(app, context, metrics);
  registerMeRoutes(app);
  registerTenantRoutes(app, context);
  registerPostureRoutes(app, context);
  registerFindingRoutes(app, context);
  registerResourceRoutes(app, context);
  registerDriftRoutes(app, context);
  registerControlRoutes(app, context);
  registerWaiverRoutes(app, context);
  registerScanRoutes(app, context);
  registerDataflowRoutes(app, context);
  registerNotificationRoutes(app, context);
  registerExportRoutes(app, context);
  registerTokenRoutes(app, context);
  registerAccessLogRoutes(app, context);

  for (const url of ["/api/docs", "/api/docs/openapi.json"]) {
    app.get(url, { schema: { hide: true }, config: { access: "public" } }, async () =>
      app.swagger(),
    );
  }

  if (options.dashboardDir !== undefined) {
    await app.register(fastifyStatic, {
      root: options.dashboardDir,
      prefix: "/",
      wildcard: true,
      index: ["index.html"],
    });
  }

  return app;
}
