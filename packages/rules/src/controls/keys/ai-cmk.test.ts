import { describe, expect, it } from "vitest";
import { completeAccount, contextWith } from "../../../test/support/evaluation.js";
import {
  armDocumentsOf,
  awsFixture,
  azureFixture,
  selectRowsOf,
} from "../../../test/support/fixtures.js";
import {
  CUSTOMER_KEY_ID,
  customerKmsKey,
  fixtureKmsKeys,
  kmsAlias,
  notRecordedItem,
} from "../../../test/support/keys.js";
import { fromArmDocument } from "../../canonical/from-arm-document.js";
import { decodeBatchGetItem, fromConfigItem } from "../../canonical/from-config-item.js";
import type { CanonicalResource } from "../../model.js";
import { aiCmk } from "./ai-cmk.js";

const ACCOUNT = "111122223333";
const CUSTOMER_KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${CUSTOMER_KEY_ID}`;

function azureDocument(fileName: string): Record<string, unknown> {
  const [document] = armDocumentsOf(azureFixture(fileName));
  if (document === undefined) throw new Error(`no document in ${fileName}`);
  return document;
}

const lockedDown = azureDocument(
  "Microsoft.CognitiveServices_accounts.OpenAI-locked-down.arm.composed.json",
);
const openAi = azureDocument("Microsoft.CognitiveServices_accounts.OpenAI.arm.real.json");
const cmkSearch = azureDocument(
  "Microsoft.Search_searchServices.cmk-enforced.arm.spec-2025-05-01.json",
);
const privateSearch = azureDocument(
  "Microsoft.Search_searchServices.public-disabled.arm.spec-2025-05-01.json",
);
const awsRows = selectRowsOf(
  awsFixture("config.SelectResourceConfig.sagemaker-bedrock.http.synthetic.json"),
);

function awsRow(resourceType: string): Record<string, unknown> {
  const found = awsRows.find((r) => r.resourceType === resourceType);
  if (found === undefined) throw new Error(`no ${resourceType} row`);
  return found;
}

function withProperties(
  document: Record<string, unknown>,
  changes: Record<string, unknown>,
): Record<string, unknown> {
  return { ...document, properties: { ...(document.properties as object), ...changes } };
}

function withConfiguration(
  item: Record<string, unknown>,
  changes: Record<string, unknown>,
): Record<string, unknown> {
  return { ...item, configuration: { ...(item.configuration as object), ...changes } };
}

function judgeAzure(document: Record<string, unknown>) {
  return aiCmk.evaluate(fromArmDocument(document), contextWith());
}

function judgeAws(item: Record<string, unknown>, resources: CanonicalResource[] = []) {
  return aiCmk.evaluate(
    fromConfigItem(item),
    contextWith({ resources, accounts: [completeAccount("aws", ACCOUNT)] }),
  );
}

describe("keys.ai-cmk on Azure AI services accounts", () => {
  it("passes encryption.keySource Microsoft.KeyVault", () => {
    const verdict = judgeAzure(lockedDown);
    expect(verdict.status).toBe("pass");
    expect(verdict.evidence).toEqual([
      {
        path: "properties.encryption.keySource",
        actual: "Microsoft.KeyVault",
        expected: "Microsoft.KeyVault",
      },
    ]);
  });

  it("passes the key source in any case, the Storage spelling included", () => {
    for (const keySource of ["MICROSOFT.KEYVAULT", "Microsoft.Keyvault"]) {
      const verdict = judgeAzure(withProperties(lockedDown, { encryption: { keySource } }));
      expect(verdict.status, keySource).toBe("pass");
    }
  });

  it("fails the real account without an encryption block, leaving actual out of the evidence", () => {
    const verdict = judgeAzure(openAi);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toBe(
      "Microsoft.CognitiveServices/accounts contoso-openai has properties.encryption.keySource absent, so Microsoft-managed keys encrypt it; expected Microsoft.KeyVault",
    );
    expect(verdict.evidence).toEqual([
      { path: "properties.encryption.keySource", expected: "Microsoft.KeyVault" },
    ]);
  });

  it("fails a null or empty key source like an absent one, keeping null in the evidence", () => {
    const nulled = judgeAzure(withProperties(openAi, { encryption: { keySource: null } }));
    expect(nulled.status).toBe("fail");
    expect(nulled.evidence[0]).toEqual({
      path: "properties.encryption.keySource",
      actual: null,
      expected: "Microsoft.KeyVault",
    });
    expect(judgeAzure(withProperties(openAi, { encryption: { keySource: "" } })).status).toBe(
      "fail",
    );
  });

  it("fails Microsoft.CognitiveServices, the service's own keys", () => {
    const verdict = judgeAzure(
      withProperties(openAi, { encryption: { keySource: "Microsoft.CognitiveServices" } }),
    );
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain(
      'is encrypted with Microsoft-managed keys (properties.encryption.keySource = "Microsoft.CognitiveServices")',
    );
  });

  it("reports an unknown or non-string key source as an error naming it", () => {
    const unknown = judgeAzure(
      withProperties(openAi, { encryption: { keySource: "Microsoft.HSM" } }),
    );
    expect(unknown.status).toBe("error");
    expect(unknown.message).toContain('"Microsoft.HSM", a value this control does not know');
    const numeric = judgeAzure(withProperties(openAi, { encryption: { keySource: 1 } }));
    expect(numeric.status).toBe("error");
  });

  it("reports a document without properties as an error", () => {
    const { properties: _dropped, ...bare } = lockedDown;
    const verdict = judgeAzure(bare);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("has no properties");
  });
});

describe("keys.ai-cmk on Azure AI Search services", () => {
  it("passes a service that enforces customer-managed keys", () => {
    const verdict = judgeAzure(cmkSearch);
    expect(verdict.status).toBe("pass");
    expect(verdict.evidence).toEqual([
      {
        path: "properties.encryptionWithCmk.enforcement",
        actual: "Enabled",
        expected: "Enabled",
      },
    ]);
  });

  it("passes the enforcement value in Search's lower case", () => {
    const lower = withProperties(cmkSearch, { encryptionWithCmk: { enforcement: "enabled" } });
    expect(judgeAzure(lower).status).toBe("pass");
  });

  it("fails a service without encryptionWithCmk", () => {
    const verdict = judgeAzure(privateSearch);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain(
      "has properties.encryptionWithCmk.enforcement absent, so customer-managed keys are not enforced",
    );
  });

  it("fails Disabled and Unspecified enforcement", () => {
    for (const enforcement of ["Disabled", "Unspecified"]) {
      const verdict = judgeAzure(withProperties(cmkSearch, { encryptionWithCmk: { enforcement } }));
      expect(verdict.status, enforcement).toBe("fail");
      expect(verdict.message).toContain(`= "${enforcement}"); expected Enabled`);
    }
  });

  it("reports an enforcement value outside the documented set as an error", () => {
    const verdict = judgeAzure(
      withProperties(cmkSearch, { encryptionWithCmk: { enforcement: "Required" } }),
    );
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("expected Enabled or Disabled or Unspecified");
  });
});

describe("keys.ai-cmk on Bedrock guardrails", () => {
  const guardrail = awsRow("AWS::Bedrock::Guardrail");

  it("passes a KmsKeyArn that resolves to a CUSTOMER key", () => {
    const verdict = judgeAws(guardrail, [customerKmsKey(ACCOUNT, "us-east-1")]);
    expect(verdict.status).toBe("pass");
    expect(verdict.evidence).toEqual([
      {
        path: "configuration.KmsKeyArn",
        actual: CUSTOMER_KEY_ARN,
        expected: "a customer-managed KMS key",
      },
      {
        path: `${CUSTOMER_KEY_ARN}#configuration.keyManager`,
        actual: "CUSTOMER",
        expected: "CUSTOMER",
      },
    ]);
  });

  it("gives the string-encoded BatchGet form the same verdict as the Select form", () => {
    const batchItem = decodeBatchGetItem({
      ...guardrail,
      configuration: JSON.stringify(guardrail.configuration),
    });
    const resources = [customerKmsKey(ACCOUNT, "us-east-1")];
    expect(judgeAws(batchItem, resources)).toEqual(judgeAws(guardrail, resources));
  });

  it("fails a guardrail without a key, and one whose key is null", () => {
    const { KmsKeyArn: _dropped, ...configuration } = guardrail.configuration as Record<
      string,
      unknown
    >;
    const absent = judgeAws({ ...guardrail, configuration });
    expect(absent.status).toBe("fail");
    expect(absent.message).toContain("has KmsKeyArn absent, so an AWS-owned key encrypts");
    expect(absent.evidence).toEqual([
      { path: "configuration.KmsKeyArn", expected: "a customer-managed KMS key" },
    ]);
    expect(judgeAws(withConfiguration(guardrail, { KmsKeyArn: null })).status).toBe("fail");
  });

  it("fails an AWS-managed key, by alias ARN without a lookup and by keyManager", () => {
    const byAlias = judgeAws(
      withConfiguration(guardrail, {
        KmsKeyArn: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/aws/bedrock`,
      }),
    );
    expect(byAlias.status).toBe("fail");
    expect(byAlias.message).toContain("AWS-managed key alias/aws/bedrock");

    const awsManaged = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0b1c2d3e-0000-4000-8000-000000000001`;
    const byManager = judgeAws(
      withConfiguration(guardrail, { KmsKeyArn: awsManaged }),
      fixtureKmsKeys(),
    );
    expect(byManager.status).toBe("fail");
    expect(byManager.message).toContain('(keyManager "AWS"); expected keyManager CUSTOMER');
  });

  it("reports a key in an account that was not scanned as an error saying so", () => {
    const elsewhere = `arn:aws:kms:us-east-1:999988887777:key/${CUSTOMER_KEY_ID}`;
    const verdict = judgeAws(withConfiguration(guardrail, { KmsKeyArn: elsewhere }));
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      `resolves to nothing (no KMS key ${CUSTOMER_KEY_ID} in account 999988887777 region us-east-1; account 999988887777 region us-east-1 was not collected (not scanned))`,
    );
  });

  it("reports a KmsKeyArn that is not a string as an error", () => {
    const verdict = judgeAws(
      withConfiguration(guardrail, { KmsKeyArn: { arn: CUSTOMER_KEY_ARN } }),
    );
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("which is not a key reference");
  });

  it("never resolves a guardrail key through an alias item Config did not record", () => {
    const alias = kmsAlias(ACCOUNT, "us-east-1", "alias/contoso-guardrails", CUSTOMER_KEY_ID);
    const verdict = judgeAws(withConfiguration(guardrail, { KmsKeyArn: alias.id }), [
      customerKmsKey(ACCOUNT, "us-east-1"),
      notRecordedItem(alias),
    ]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      `KMS alias ${alias.id} was not recorded by AWS Config (ResourceNotRecorded)`,
    );
  });

  it("reports a guardrail item without configuration as an error", () => {
    const { configuration: _dropped, ...bare } = guardrail;
    expect(judgeAws(bare).status).toBe("error");
  });
});

describe("keys.ai-cmk on SageMaker notebook instances", () => {
  const notebook = awsRow("AWS::SageMaker::NotebookInstance");

  it("passes a KmsKeyId that resolves to a CUSTOMER key", () => {
    const verdict = judgeAws(notebook, [customerKmsKey(ACCOUNT, "us-east-1")]);
    expect(verdict.status).toBe("pass");
  });

  it("passes a customer alias in ARN form through its target key id", () => {
    const aliased = withConfiguration(notebook, {
      KmsKeyId: `ARN:AWS:KMS:us-east-1:${ACCOUNT}:alias/contoso-notebooks`,
    });
    const verdict = judgeAws(aliased, [
      customerKmsKey(ACCOUNT, "us-east-1"),
      kmsAlias(ACCOUNT, "us-east-1", "alias/contoso-notebooks", CUSTOMER_KEY_ID),
    ]);
    expect(verdict.status).toBe("pass");
    expect(verdict.message).toContain("through alias/contoso-notebooks");
  });

  it("fails a notebook without KmsKeyId", () => {
    const verdict = judgeAws(withConfiguration(notebook, { KmsKeyId: "" }));
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain('has KmsKeyId "", so an AWS-managed key encrypts');
  });

  it("reports an alias whose item names no target as an error", () => {
    const aliased = withConfiguration(notebook, { KmsKeyId: "alias/contoso-broken" });
    const verdict = judgeAws(aliased, [
      kmsAlias(ACCOUNT, "us-east-1", "alias/contoso-broken", undefined),
    ]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("KMS alias alias/contoso-broken has no TargetKeyId");
  });

  it("reports a key item AWS Config did not record as an error naming the item", () => {
    const notRecorded = fromConfigItem({
      accountId: ACCOUNT,
      awsRegion: "us-east-1",
      resourceType: "AWS::KMS::Key",
      resourceId: CUSTOMER_KEY_ID,
      arn: CUSTOMER_KEY_ARN,
      configurationItemStatus: "ResourceNotRecorded",
    });
    const verdict = judgeAws(notebook, [notRecorded]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      `which cannot be resolved: KMS key ${CUSTOMER_KEY_ARN} was not recorded by AWS Config ` +
        "(ResourceNotRecorded)",
    );
    expect(verdict.evidence).toContainEqual({
      path: `${CUSTOMER_KEY_ARN}#configurationItemStatus`,
      actual: "ResourceNotRecorded",
      expected: "OK or ResourceDiscovered",
    });
  });

  it("reports a notebook AWS Config did not record as an error", () => {
    const verdict = judgeAws({ ...notebook, configurationItemStatus: "ResourceNotRecorded" });
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("ResourceNotRecorded");
  });
});
