import { type ApiInstance, authOf } from "../context.js";
import { meResponseSchema } from "../contract/me.js";
import { isoOrNull } from "../read/views.js";
import { bearerSecurity, errorResponses } from "./route-schema.js";

export function registerMeRoutes(app: ApiInstance): void {
  app.get(
    "/api/v1/me",
    {
      config: { access: "read" },
      schema: {
        tags: ["access"],
        summary: "The token of the request: its role and scope",
        security: bearerSecurity,
        response: { 200: meResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { token } = authOf(request);
      return {
        tokenId: token.id,
        name: token.name,
        role: token.role,
        scope: token.scope,
        expiresAt: isoOrNull(token.expiresAt),
      };
    },
  );
}
