import { CONTROLS } from "@plumbline/rules";
import { z } from "zod";
import type { ApiContext, ApiInstance } from "../context.js";
import { controlListResponseSchema, controlSchema } from "../contract/controls.js";
import { notFound } from "../errors.js";
import { controlView, controlViewById } from "../read/views.js";
import { bearerSecurity, errorResponses } from "./route-schema.js";

export function registerControlRoutes(app: ApiInstance, context: ApiContext): void {
  app.get(
    "/api/v1/controls",
    {
      config: { access: "read" },
      schema: {
        tags: ["controls"],
        summary: "The control catalogue with the policy's settings and framework mappings",
        security: bearerSecurity,
        response: { 200: controlListResponseSchema, ...errorResponses },
      },
    },
    async () => ({ items: CONTROLS.map((control) => controlView(control, context.policy)) }),
  );

  app.get(
    "/api/v1/controls/:id",
    {
      config: { access: "read" },
      schema: {
        tags: ["controls"],
        summary: "One control of the catalogue",
        security: bearerSecurity,
        params: z.object({ id: z.string().min(1).max(200) }),
        response: { 200: controlSchema, ...errorResponses },
      },
    },
    async (request) => {
      const view = controlViewById(request.params.id, context.policy);
      if (view === null) throw notFound(`control ${request.params.id}`);
      return view;
    },
  );
}
