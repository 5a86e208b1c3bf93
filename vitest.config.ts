import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*"],
    env: {
      // The AWS SDK warns in every test process that its releases after January 2027 need
      // Node 22; the SDK is pinned to a release that supports Node 20, so the warning is noise.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
  },
});
