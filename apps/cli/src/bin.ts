#!/usr/bin/env node
// The AWS SDK warns on every run that its releases after January 2027 need Node 22; the SDK
// is pinned to a release that supports Node 20, so the warning only adds noise to stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const { main } = await import("./main.js");
await main();
