import { localAuthDisabled } from "./identity/local-auth-disabled.js";
import { storageCmk } from "./keys/storage-cmk.js";
import { vaultRecoverable } from "./keys/vault-recoverable.js";
import { publicAccessDisabled } from "./network/public-access-disabled.js";
import { regionAllowed } from "./residency/region-allowed.js";
import type { Control } from "./types.js";

/** Every implemented control, in catalogue order. */
export const CONTROLS: readonly Control[] = [
  regionAllowed,
  storageCmk,
  vaultRecoverable,
  localAuthDisabled,
  publicAccessDisabled,
];

const byId = new Map<string, Control>(CONTROLS.map((control) => [control.id, control]));

/** The implemented control with an id, or undefined. */
export function controlById(id: string): Control | undefined {
  return byId.get(id);
}
