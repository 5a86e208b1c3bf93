import { describe, expect, it } from "vitest";
import { contextWith } from "../../../test/support/evaluation.js";
import {
  armDocumentsOf,
  awsFixture,
  azureFixture,
  selectRowsOf,
} from "../../../test/support/fixtures.js";
import { fromArmDocument } from "../../canonical/from-arm-document.js";
import { fromConfigItem } from "../../canonical/from-config-item.js";
import { localAuthDisabled } from "./local-auth-disabled.js";

function first(fileName: string): Record<string, unknown> {
  const [document] = armDocumentsOf(azureFixture(fileName));
  if (document === undefined) throw new Error(`${fileName} holds no document`);
  return document;
}

function named(fileName: string, name: string): Record<string, unknown> {
  const document = armDocumentsOf(azureFixture(fileName)).find((d) => d.name === name);
  if (document === undefined) throw new Error(`no ${name} in ${fileName}`);
  return document;
}

function withProperties(document: Record<string, unknown>, changes: Record<string, unknown>) {
  return { ...document, properties: { ...(document.properties as object), ...changes } };
}

function judge(document: Record<string, unknown>) {
  return localAuthDisabled.evaluate(fromArmDocument(document), contextWith());
}

function judgeItem(item: Record<string, unknown>) {
  return localAuthDisabled.evaluate(fromConfigItem(item), contextWith());
}

const OPENAI = "Microsoft.CognitiveServices_accounts.OpenAI.arm.real.json";
const LOCKED = "Microsoft.CognitiveServices_accounts.OpenAI-locked-down.arm.composed.json";
const STORAGE = "Microsoft.Storage_storageAccounts.list.arm.real.json";

describe("identity.local-auth-disabled on AI services", () => {
  it("passes disableLocalAuth true", () => {
    const verdict = judge(first(LOCKED));
    expect(verdict.status).toBe("pass");
    expect(verdict.evidence).toEqual([
      { path: "properties.disableLocalAuth", actual: true, expected: true },
    ]);
  });

  it("fails a real default account where disableLocalAuth is absent", () => {
    const verdict = judge(first(OPENAI));
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toBe(
      "Microsoft.CognitiveServices/accounts contoso-openai has properties.disableLocalAuth absent, which defaults to the insecure setting; expected true",
    );
    expect(verdict.evidence).toEqual([{ path: "properties.disableLocalAuth", expected: true }]);
  });

  it("fails an explicit false and keeps it as the actual value", () => {
    const verdict = judge(withProperties(first(LOCKED), { disableLocalAuth: false }));
    expect(verdict.status).toBe("fail");
    expect(verdict.evidence).toEqual([
      { path: "properties.disableLocalAuth", actual: false, expected: true },
    ]);
  });

  it("reports a value that is not a boolean as an error", () => {
    const verdict = judge(withProperties(first(LOCKED), { disableLocalAuth: "yes" }));
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain('"yes", which is not a boolean');
  });

  it("fails an empty disableLocalAuth as absent, not as a value that is not a boolean", () => {
    const verdict = judge(withProperties(first(LOCKED), { disableLocalAuth: "" }));
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toBe(
      'Microsoft.CognitiveServices/accounts contoso-openai-locked has properties.disableLocalAuth "", which defaults to the insecure setting; expected true',
    );
    expect(verdict.evidence).toEqual([
      { path: "properties.disableLocalAuth", actual: "", expected: true },
    ]);
  });
});

describe("identity.local-auth-disabled on search services", () => {
  it("fails a service whose authOptions accept API keys only", () => {
    const verdict = judge(
      first("Microsoft.Search_searchServices.cmk-enforced.arm.spec-2025-05-01.json"),
    );
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("authOptions apiKeyOnly accepts API keys only");
    expect(verdict.evidence).toEqual([
      { path: "properties.disableLocalAuth", actual: false, expected: true },
      {
        path: "properties.authOptions",
        actual: { apiKeyOnly: {} },
        expected: "absent (keys disabled)",
      },
    ]);
  });

  it("fails a service with aadOrApiKey because keys still work", () => {
    const document = withProperties(
      first("Microsoft.Search_searchServices.cmk-enforced.arm.spec-2025-05-01.json"),
      { authOptions: { aadOrApiKey: { aadAuthFailureMode: "http401WithBearerChallenge" } } },
    );
    expect(judge(document).message).toContain("authOptions aadOrApiKey still accepts API keys");
  });

  it("fails a service where both settings are absent", () => {
    const verdict = judge(
      first("Microsoft.Search_searchServices.public-disabled.arm.spec-2025-05-01.json"),
    );
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("authOptions is absent");
  });

  it("passes a service with disableLocalAuth true", () => {
    const document = withProperties(
      first("Microsoft.Search_searchServices.public-disabled.arm.spec-2025-05-01.json"),
      { disableLocalAuth: true },
    );
    expect(judge(document).status).toBe("pass");
  });

  it("fails an empty disableLocalAuth as absent", () => {
    const document = withProperties(
      first("Microsoft.Search_searchServices.public-disabled.arm.spec-2025-05-01.json"),
      { disableLocalAuth: "" },
    );
    const verdict = judge(document);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain(
      'properties.disableLocalAuth "", which defaults to the insecure setting',
    );
  });
});

describe("identity.local-auth-disabled on storage accounts", () => {
  it("fails the Cloud Shell account, whose allowSharedKeyAccess is absent", () => {
    const verdict = judge(named(STORAGE, "contososhell0000000"));
    expect(verdict.status).toBe("fail");
    expect(verdict.evidence).toEqual([
      { path: "properties.allowSharedKeyAccess", expected: false },
    ]);
  });

  it("fails an explicit true", () => {
    const verdict = judge(named(STORAGE, "contosodevstorage"));
    expect(verdict.status).toBe("fail");
    expect(verdict.evidence).toEqual([
      { path: "properties.allowSharedKeyAccess", actual: true, expected: false },
    ]);
  });

  it("passes an explicit false", () => {
    const document = withProperties(named(STORAGE, "contosodevstorage"), {
      allowSharedKeyAccess: false,
    });
    expect(judge(document).status).toBe("pass");
  });

  it("fails an empty allowSharedKeyAccess as absent", () => {
    const document = withProperties(named(STORAGE, "contosodevstorage"), {
      allowSharedKeyAccess: "",
    });
    const verdict = judge(document);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain(
      'properties.allowSharedKeyAccess "", which defaults to the insecure setting',
    );
  });
});

describe("identity.local-auth-disabled on PostgreSQL flexible servers", () => {
  const SERVERS = "Microsoft.DBforPostgreSQL_flexibleServers.list.arm.real.json";

  it("fails a server with password authentication enabled", () => {
    const verdict = judge(named(SERVERS, "pg-contoso-public"));
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain(
      'properties.authConfig.passwordAuth "Enabled", so passwords work',
    );
  });

  it("fails a server with Entra authentication and passwords both on", () => {
    const verdict = judge(
      first("Microsoft.DBforPostgreSQL_flexibleServers.get-cmk-vnet.arm.spec-2024-08-01.json"),
    );
    expect(verdict.status).toBe("fail");
  });

  it("passes Entra-only authentication in any case", () => {
    const document = withProperties(named(SERVERS, "pg-contoso-public"), {
      authConfig: { activeDirectoryAuth: "enabled", passwordAuth: "DISABLED" },
    });
    expect(judge(document).status).toBe("pass");
  });

  it("fails a server without authConfig", () => {
    const document = withProperties(named(SERVERS, "pg-contoso-public"), { authConfig: undefined });
    const verdict = judge(JSON.parse(JSON.stringify(document)));
    expect(verdict.status).toBe("fail");
    expect(verdict.evidence[0]).toEqual({
      path: "properties.authConfig.passwordAuth",
      expected: "Disabled",
    });
  });

  it("reports an unknown authentication mode as an error", () => {
    const document = withProperties(named(SERVERS, "pg-contoso-public"), {
      authConfig: { activeDirectoryAuth: "Enabled", passwordAuth: "Restricted" },
    });
    const verdict = judge(document);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain('passwordAuth = "Restricted"');
  });

  it("fails an empty passwordAuth as absent, and an empty activeDirectoryAuth as not enabled", () => {
    const emptyPassword = withProperties(named(SERVERS, "pg-contoso-public"), {
      authConfig: { activeDirectoryAuth: "Enabled", passwordAuth: "" },
    });
    const verdict = judge(emptyPassword);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain('properties.authConfig.passwordAuth "", so passwords work');

    const emptyEntra = withProperties(named(SERVERS, "pg-contoso-public"), {
      authConfig: { activeDirectoryAuth: "", passwordAuth: "Disabled" },
    });
    const entra = judge(emptyEntra);
    expect(entra.status).toBe("fail");
    expect(entra.message).toContain(
      'properties.authConfig.activeDirectoryAuth ""; expected Enabled',
    );
  });
});

describe("identity.local-auth-disabled on RDS", () => {
  const rows = selectRowsOf(
    awsFixture("config.SelectResourceConfig.rds-dbinstance.http.derived.json"),
  );

  it("fails an instance with IAM database authentication off", () => {
    const verdict = judgeItem(rows[0] ?? {});
    expect(verdict.status).toBe("fail");
    expect(verdict.evidence).toEqual([
      { path: "configuration.iAMDatabaseAuthenticationEnabled", actual: false, expected: true },
    ]);
  });

  it("passes an instance with IAM database authentication on", () => {
    const row = rows[1] ?? {};
    const configuration = {
      ...(row.configuration as object),
      iAMDatabaseAuthenticationEnabled: true,
    };
    expect(judgeItem({ ...row, configuration }).status).toBe("pass");
  });

  it("reads the cluster's own spelling of the flag", () => {
    const cluster = {
      accountId: "111122223333",
      awsRegion: "eu-west-1",
      resourceType: "AWS::RDS::DBCluster",
      resourceId: "cluster-ABC",
      arn: "arn:aws:rds:eu-west-1:111122223333:cluster:contoso-aurora",
      configuration: {
        dBClusterIdentifier: "contoso-aurora",
        iamdatabaseAuthenticationEnabled: true,
      },
    };
    expect(judgeItem(cluster).status).toBe("pass");
    expect(judgeItem({ ...cluster, configuration: {} }).status).toBe("fail");
  });

  it("fails an empty IAM flag as absent on instances and clusters", () => {
    const row = rows[1] ?? {};
    const instance = judgeItem({
      ...row,
      configuration: { ...(row.configuration as object), iAMDatabaseAuthenticationEnabled: "" },
    });
    expect(instance.status).toBe("fail");
    expect(instance.message).toContain(
      'configuration.iAMDatabaseAuthenticationEnabled "", which defaults to the insecure setting',
    );
    const cluster = judgeItem({
      accountId: "111122223333",
      awsRegion: "eu-west-1",
      resourceType: "AWS::RDS::DBCluster",
      resourceId: "cluster-ABC",
      arn: "arn:aws:rds:eu-west-1:111122223333:cluster:contoso-aurora",
      configuration: {
        dBClusterIdentifier: "contoso-aurora",
        iamdatabaseAuthenticationEnabled: "",
      },
    });
    expect(cluster.status).toBe("fail");
    expect(cluster.evidence).toEqual([
      { path: "configuration.iamdatabaseAuthenticationEnabled", actual: "", expected: true },
    ]);
  });

  it("reports an item without configuration as an error", () => {
    const { configuration: _dropped, ...bare } = rows[0] ?? {};
    expect(judgeItem(bare).status).toBe("error");
  });
});
