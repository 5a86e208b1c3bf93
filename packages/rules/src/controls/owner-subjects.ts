import type { CanonicalResource, Provider } from "../model.js";
import type { DataflowStage } from "../policy/types.js";
import type { OwnerSubject } from "./types.js";

/** How messages name an account: `Azure subscription <id>` or `AWS account <id>`. */
export function describeAccount(provider: Provider, account: string): string {
  return provider === "azure" ? `Azure subscription ${account}` : `AWS account ${account}`;
}

/**
 * The subject of an account row: `/subscriptions/<id>` of type `Microsoft.Resources/subscriptions`,
 * or the 12-digit AWS account id of type `AWS::::Account`.
 */
export function accountSubject(provider: Provider, account: string): OwnerSubject {
  if (provider === "azure") {
    const resource = `/subscriptions/${account}`;
    return {
      resource,
      subjectKey: resource.toLowerCase(),
      provider,
      account: account.toLowerCase(),
      type: "Microsoft.Resources/subscriptions",
      region: null,
    };
  }
  return {
    resource: account,
    subjectKey: account,
    provider,
    account,
    type: "AWS::::Account",
    region: null,
  };
}

/** The subject of a data-flow stage row, `tenant/<id>/dataflow/<stage>`, with no cloud fields. */
export function stageSubject(tenant: string, stage: DataflowStage): OwnerSubject {
  const resource = `tenant/${tenant}/dataflow/${stage}`;
  return {
    resource,
    subjectKey: resource,
    provider: null,
    account: null,
    type: null,
    region: null,
  };
}

/** The subject of a row about one inventoried resource, judged by an owner-level control. */
export function resourceSubject(resource: CanonicalResource): OwnerSubject {
  return {
    resource: resource.id,
    subjectKey: resource.key,
    provider: resource.provider,
    account: resource.account,
    type: resource.type,
    region: resource.region,
  };
}
