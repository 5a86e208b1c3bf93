export type { AccessScope } from "./auth/access-scope.js";
export { TOKEN_PREFIX } from "./auth/token-secret.js";
export {
  type ApiTokenRecord,
  type CreateApiTokenOptions,
  type CreatedApiToken,
  createApiToken,
  listApiTokens,
  revokeApiToken,
  roleScopeProblem,
  scopeProblems,
  type TokenRole,
} from "./auth/token-store.js";
export type {
  ApiInstance,
  ApiOptions,
  TriggerScan,
  TriggerScanRequest,
} from "./context.js";
export { createApi } from "./create-api.js";
