export * from "./canonical/index.js";
export * from "./controls/index.js";
export * from "./drift/index.js";
export * from "./evaluate/index.js";
export * from "./frameworks/index.js";
export type * from "./model.js";
export * from "./policy/index.js";
export * from "./regions/index.js";
