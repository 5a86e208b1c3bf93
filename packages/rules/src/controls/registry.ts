import { stageDeclared } from "./dataflow/stage-declared.js";
import { stageRegion } from "./dataflow/stage-region.js";
import { stageResolves } from "./dataflow/stage-resolves.js";
import { localAuthDisabled } from "./identity/local-auth-disabled.js";
import { managedIdentity } from "./identity/managed-identity.js";
import { aiCmk } from "./keys/ai-cmk.js";
import { cmkUsable } from "./keys/cmk-usable.js";
import { databaseCmk } from "./keys/database-cmk.js";
import { storageCmk } from "./keys/storage-cmk.js";
import { vaultRecoverable } from "./keys/vault-recoverable.js";
import { egressFirewallLogged } from "./network/egress-firewall-logged.js";
import { privateDns } from "./network/private-dns.js";
import { privateEndpoint } from "./network/private-endpoint.js";
import { publicAccessDisabled } from "./network/public-access-disabled.js";
import { aiProcessingScope } from "./residency/ai-processing-scope.js";
import { keyLocation } from "./residency/key-location.js";
import { regionAllowed } from "./residency/region-allowed.js";
import { accountDedicated } from "./tenancy/account-dedicated.js";
import { modelAllowed } from "./tenancy/model-allowed.js";
import type { Control } from "./types.js";

/** Every implemented control, in catalogue order. */
export const CONTROLS: readonly Control[] = [
  regionAllowed,
  aiProcessingScope,
  keyLocation,
  storageCmk,
  aiCmk,
  databaseCmk,
  vaultRecoverable,
  cmkUsable,
  localAuthDisabled,
  managedIdentity,
  publicAccessDisabled,
  privateEndpoint,
  privateDns,
  egressFirewallLogged,
  accountDedicated,
  modelAllowed,
  stageDeclared,
  stageResolves,
  stageRegion,
];

const byId = new Map<string, Control>(CONTROLS.map((control) => [control.id, control]));

/** The implemented control with an id, or undefined. */
export function controlById(id: string): Control | undefined {
  return byId.get(id);
}
