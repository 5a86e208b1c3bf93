import { isAbsent, isRecord, readPath } from "../../canonical/document.js";
import type { CanonicalResource } from "../../model.js";
import { judgeBooleanSetting } from "../boolean-setting.js";
import type { ResourceControl, VerdictRow } from "../types.js";
import { checkCollected, describeResource, formatValue, observe, row } from "../verdicts.js";

const SEARCH_AUTH_OPTIONS = "properties.authOptions";
const PASSWORD_AUTH = "properties.authConfig.passwordAuth";
const ENTRA_AUTH = "properties.authConfig.activeDirectoryAuth";

function judgeSearchService(resource: CanonicalResource): VerdictRow {
  const verdict = judgeBooleanSetting(resource, {
    path: "properties.disableLocalAuth",
    expected: true,
    meaning: "API keys are disabled",
  });
  const authOptions = readPath(resource.raw, SEARCH_AUTH_OPTIONS);
  const evidence = [
    ...verdict.evidence,
    observe(resource, SEARCH_AUTH_OPTIONS, "absent (keys disabled)"),
  ];
  if (verdict.status !== "fail") return { ...verdict, evidence };

  const mode = isRecord(authOptions)
    ? Object.hasOwn(authOptions, "apiKeyOnly")
      ? "authOptions apiKeyOnly accepts API keys only"
      : Object.hasOwn(authOptions, "aadOrApiKey")
        ? "authOptions aadOrApiKey still accepts API keys"
        : `authOptions ${formatValue(authOptions)}`
    : "authOptions is absent";
  return row("fail", `${verdict.message}; ${mode}`, evidence);
}

function judgePostgresServer(resource: CanonicalResource): VerdictRow {
  const name = describeResource(resource);
  const password = readPath(resource.raw, PASSWORD_AUTH);
  const entra = readPath(resource.raw, ENTRA_AUTH);
  const evidence = [
    observe(resource, PASSWORD_AUTH, "Disabled"),
    observe(resource, ENTRA_AUTH, "Enabled"),
  ];
  const known = (value: unknown) =>
    isAbsent(value) ||
    (typeof value === "string" && ["enabled", "disabled"].includes(value.toLowerCase()));
  if (!known(password) || !known(entra)) {
    const odd = known(password)
      ? `${ENTRA_AUTH} = ${formatValue(entra)}`
      : `${PASSWORD_AUTH} = ${formatValue(password)}`;
    return row(
      "error",
      `${name} has ${odd}, a value this control does not know; expected Enabled or Disabled`,
      evidence,
    );
  }

  const passwordOff = typeof password === "string" && password.toLowerCase() === "disabled";
  const entraOn = typeof entra === "string" && entra.toLowerCase() === "enabled";
  if (passwordOff && entraOn) {
    return row(
      "pass",
      `${name} accepts only Microsoft Entra ID authentication (passwordAuth Disabled)`,
      evidence,
    );
  }
  if (!passwordOff) {
    return row(
      "fail",
      `${name} has ${PASSWORD_AUTH} ${formatValue(password)}, so passwords work; ` +
        "expected Disabled with activeDirectoryAuth Enabled",
      evidence,
    );
  }
  return row(
    "fail",
    `${name} has ${ENTRA_AUTH} ${formatValue(entra)}; expected Enabled with passwordAuth Disabled`,
    evidence,
  );
}

/** Services accept only Entra ID / IAM identities: keys, shared keys and passwords are off. */
export const localAuthDisabled: ResourceControl = {
  id: "identity.local-auth-disabled",
  scope: "resource",
  title: "Services accept only Entra ID or IAM identities; keys and passwords are switched off",
  severity: "high",
  rationale:
    "API keys, shared keys and database passwords are long-lived secrets that are copied into " +
    "code and pipelines, bypass conditional access and are not tied to a person or workload. " +
    "Identity-based access is scoped, audited and revocable.",
  remediation: {
    azure:
      "Set disableLocalAuth to true on AI services and search services, allowSharedKeyAccess to " +
      "false on storage accounts, and on PostgreSQL flexible servers enable Microsoft Entra " +
      "authentication and disable password authentication; move callers to managed identities " +
      "first.",
    aws:
      "Enable IAM database authentication on RDS instances and clusters " +
      "(modify-db-instance / modify-db-cluster --enable-iam-database-authentication) and issue " +
      "connections with IAM authentication tokens.",
  },
  references: [
    {
      kind: "azure-policy",
      name:
        "Azure AI Services resources should have key access disabled " +
        "(disable local authentication)",
    },
    {
      kind: "azure-policy",
      name: "Azure AI Search services should have local authentication methods disabled",
    },
    { kind: "azure-policy", name: "Storage accounts should prevent shared key access" },
    {
      kind: "azure-policy",
      name:
        "Azure PostgreSQL flexible server should have Microsoft Entra Only Authentication " +
        "enabled",
    },
    { kind: "aws-config-rule", name: "rds-instance-iam-authentication-enabled" },
    { kind: "aws-config-rule", name: "rds-cluster-iam-authentication-enabled" },
  ],
  resourceTypes: [
    "Microsoft.CognitiveServices/accounts",
    "Microsoft.Search/searchServices",
    "Microsoft.Storage/storageAccounts",
    "Microsoft.DBforPostgreSQL/flexibleServers",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
  ],

  evaluate(resource) {
    const notCollected = checkCollected(resource);
    if (notCollected !== null) return notCollected;

    switch (resource.type) {
      case "Microsoft.CognitiveServices/accounts":
        return judgeBooleanSetting(resource, {
          path: "properties.disableLocalAuth",
          expected: true,
          meaning: "API keys are disabled",
        });
      case "Microsoft.Search/searchServices":
        return judgeSearchService(resource);
      case "Microsoft.Storage/storageAccounts":
        return judgeBooleanSetting(resource, {
          path: "properties.allowSharedKeyAccess",
          expected: false,
          meaning: "shared key access is disabled",
        });
      case "Microsoft.DBforPostgreSQL/flexibleServers":
        return judgePostgresServer(resource);
      case "AWS::RDS::DBInstance":
        return judgeBooleanSetting(resource, {
          path: "configuration.iAMDatabaseAuthenticationEnabled",
          expected: true,
          meaning: "IAM database authentication is enabled",
        });
      default:
        return judgeBooleanSetting(resource, {
          path: "configuration.iamdatabaseAuthenticationEnabled",
          expected: true,
          meaning: "IAM database authentication is enabled",
        });
    }
  },
};
