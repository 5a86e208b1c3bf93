import { fileURLToPath } from "node:url";

/** Repository root, so tests read the shipped example policy wherever vitest runs. */
export const repositoryRoot = fileURLToPath(new URL("../../../../", import.meta.url));
