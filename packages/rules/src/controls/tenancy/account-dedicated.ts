import type { Provider } from "../../model.js";
import { type Owner, PLATFORM_OWNER_ID } from "../../policy/types.js";
import { accountSubject, describeAccount } from "../owner-subjects.js";
import type { OwnerControl, OwnerVerdictRow } from "../types.js";

const EXPECTED = "exactly one owner: one tenant or the platform";

function lists(owner: Owner, provider: Provider, account: string): boolean {
  return provider === "azure"
    ? owner.accounts.azure.includes(account.toLowerCase())
    : owner.accounts.aws.includes(account);
}

function describeOwner(id: string): string {
  return id === PLATFORM_OWNER_ID ? "the platform" : `tenant ${id}`;
}

function judgeAccount(
  provider: Provider,
  account: string,
  owners: readonly Owner[],
): OwnerVerdictRow {
  const subject = accountSubject(provider, account);
  const listing = owners.filter((owner) => lists(owner, provider, account)).map((o) => o.id);
  const evidence = [{ path: "owners", actual: listing, expected: EXPECTED }];
  const name = describeAccount(provider, account);
  if (listing.length === 1) {
    return {
      subject,
      status: "pass",
      message: `${name} has one owner: ${describeOwner(listing[0] ?? "")}`,
      evidence,
    };
  }
  return {
    subject,
    status: "fail",
    message:
      `${name} is listed for ${listing.map(describeOwner).join(" and ")}; ` +
      `expected ${EXPECTED}, so that no owner's data shares its account`,
    evidence,
  };
}

/** Every discovered account belongs to exactly one owner. */
export const accountDedicated: OwnerControl = {
  id: "tenancy.account-dedicated",
  scope: "owner",
  title: "Every discovered account belongs to exactly one tenant or to the platform",
  severity: "critical",
  rationale:
    "The account or subscription is the isolation boundary of the clouds: identities, keys, " +
    "logs and quotas are scoped to it. An account two business units share mixes their data " +
    "under one set of administrators, and an account no one owns escapes every other control.",
  remediation: {
    azure:
      "Give each business unit its own subscriptions, move shared resources to a platform " +
      "subscription, and list every subscription under exactly one tenant (or the platform) in " +
      "the policy file; cancel or adopt subscriptions that no one owns.",
    aws:
      "Give each business unit its own AWS accounts in the organisation, move shared services to " +
      "platform accounts, and list every account under exactly one tenant (or the platform) in " +
      "the policy file; close or adopt accounts that no one owns.",
  },
  references: [
    {
      kind: "documentation",
      title: "Organizing Your AWS Environment Using Multiple Accounts",
      url: "https://docs.aws.amazon.com/whitepapers/latest/organizing-your-aws-environment/organizing-your-aws-environment.html",
      provider: "aws",
    },
    {
      kind: "documentation",
      title: "Cloud Adoption Framework: resource organization design area",
      url: "https://learn.microsoft.com/azure/cloud-adoption-framework/ready/landing-zone/design-area/resource-org",
      provider: "azure",
    },
  ],
  resourceTypes: ["Microsoft.Resources/subscriptions", "AWS::::Account"],

  evaluate(context) {
    const { owner, owners } = context;
    return [
      ...owner.accounts.azure.map((account) => judgeAccount("azure", account, owners)),
      ...owner.accounts.aws.map((account) => judgeAccount("aws", account, owners)),
    ];
  },

  evaluateUnmapped(context) {
    return context.discovered.map(
      ({ provider, account }): OwnerVerdictRow => ({
        subject: accountSubject(provider, account),
        status: "fail",
        message:
          `${describeAccount(provider, account)} is reported by the cloud but no tenant and not ` +
          `the platform lists it; expected ${EXPECTED}`,
        evidence: [{ path: "owners", actual: [], expected: EXPECTED }],
      }),
    );
  },
};
