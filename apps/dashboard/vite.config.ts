import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The API's zod schemas are the contract: the dashboard imports them from the API's source as
// `@plumbline/api/contract/*` (they depend on zod only) and checks every answer against them.
const contractDir = fileURLToPath(new URL("../../packages/api/src/contract/", import.meta.url));

// The API serves the built files from `dist` at the site root, and the dashboard talks to it
// on the same origin; in development the dev server forwards /api to a running `serve`.
export default defineConfig({
  base: "/",
  plugins: [react()],
  resolve: { alias: [{ find: /^@plumbline\/api\/contract\//, replacement: contractDir }] },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
  server: { proxy: { "/api": "http://127.0.0.1:8080" } },
});
