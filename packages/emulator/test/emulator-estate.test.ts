import { cp } from "node:fs/promises";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { SelectResourceConfigCommand } from "@aws-sdk/client-config-service";
import { DescribeLoggingConfigurationCommand } from "@aws-sdk/client-network-firewall";
import { ResourceGraphClient } from "@azure/arm-resourcegraph";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import {
  EstateError,
  type EstateSettings,
  runEmulatorCommand,
  startEmulator,
} from "../src/index.js";
import {
  captureError,
  createConfigClient,
  createFirewallClient,
  parseRows,
} from "./support/aws-clients.js";
import {
  createFakeCredential,
  type Json,
  removeEstates,
  writeEstate,
} from "./support/estate-files.js";

const casesEstate = fileURLToPath(new URL("../../../test-data/cases/estate/", import.meta.url));
const account = "111122223333";
const firewallArn = `arn:aws:network-firewall:eu-west-1:${account}:firewall/egress-fw`;

afterAll(removeEstates);

describe("the known-verdict estate", () => {
  it("serves every Azure document as a row and every AWS item through Select on one port", async () => {
    const emulator = await startEmulator({ estateDir: casesEstate });
    try {
      const graph = new ResourceGraphClient(createFakeCredential(), {
        endpoint: emulator.azureEndpoint,
        tlsOptions: { ca: emulator.caCertificate },
      });
      const rows = await graph.resources({
        query: "resources | project id, type | order by id asc",
        subscriptions: emulator.accounts.azure,
      });
      const select = await createConfigClient(emulator, account, "eu-west-1").send(
        new SelectResourceConfigCommand({
          Expression:
            "SELECT resourceType, resourceId WHERE resourceType IN ('AWS::KMS::Key', 'AWS::S3::Bucket')",
        }),
      );

      expect(new URL(emulator.awsEndpoint).port).toBe(new URL(emulator.azureEndpoint).port);
      expect(emulator.accounts).toEqual({
        azure: ["00000000-0000-0000-0000-000000000000"],
        aws: [account],
      });
      expect(rows.totalRecords).toBe(14);
      expect((rows.data as Json[]).map((row) => row.id)).toContain(
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-keys/providers/Microsoft.KeyVault/vaults/kv-demo01",
      );
      expect(parseRows(select.Results)).toEqual([
        { resourceType: "AWS::KMS::Key", resourceId: "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0" },
        { resourceType: "AWS::S3::Bucket", resourceId: "demo-bucket-d" },
        { resourceType: "AWS::S3::Bucket", resourceId: "demo-bucket-e" },
      ]);
    } finally {
      await emulator.close();
    }
  });

  it("prints both endpoints, the CA path and the access keys for the command line", async () => {
    let printed = "";
    const output = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        printed += chunk.toString();
        callback();
      },
    });
    const emulator = await runEmulatorCommand({
      estateDir: casesEstate,
      output,
      logger: pino({ level: "silent" }),
    });
    await emulator.close();

    expect(printed).toContain(`AWS endpoint:   ${emulator.awsEndpoint}`);
    expect(printed).toContain(`Azure endpoint: ${emulator.azureEndpoint}`);
    expect(printed).toMatch(/CA certificate: \/.+\/certs\/cert\.pem/);
    expect(printed).toContain(`AWS account ${account}: access key id AKIA${account}EMUL`);
  });
});

describe("the Network Firewall API", () => {
  it("describes a firewall's logging configuration from its estate document", async () => {
    const logging = {
      LogDestinationConfigs: [
        { LogType: "ALERT", LogDestinationType: "S3", LogDestination: { bucketName: "fw-logs" } },
      ],
    };
    const estateDir = await writeEstate({
      "aws/firewall.json": [
        {
          accountId: account,
          awsRegion: "eu-west-1",
          resourceType: "AWS::NetworkFirewall::Firewall",
          resourceId: "egress-fw",
          arn: firewallArn,
          configuration: { FirewallName: "egress-fw", VpcId: "vpc-1" },
        },
        {
          accountId: account,
          awsRegion: "eu-west-1",
          resourceType: "AWS::NetworkFirewall::LoggingConfiguration",
          configuration: { FirewallArn: firewallArn, LoggingConfiguration: logging },
        },
      ],
    });
    const emulator = await startEmulator({ estateDir });
    try {
      const client = createFirewallClient(emulator, account, "eu-west-1");
      const described = await client.send(
        new DescribeLoggingConfigurationCommand({ FirewallArn: firewallArn }),
      );
      const missing = await captureError(
        client.send(
          new DescribeLoggingConfigurationCommand({ FirewallArn: `${firewallArn}-missing` }),
        ),
      );
      const select = await createConfigClient(emulator, account, "eu-west-1").send(
        new SelectResourceConfigCommand({ Expression: "SELECT resourceType" }),
      );

      expect(described.FirewallArn).toBe(firewallArn);
      expect(described.LoggingConfiguration).toEqual(logging);
      expect(missing.name).toBe("ResourceNotFoundException");
      expect(parseRows(select.Results)).toEqual([
        { resourceType: "AWS::NetworkFirewall::Firewall" },
      ]);
      expect(emulator.requestCounts().DescribeLoggingConfiguration).toBe(2);
    } finally {
      await emulator.close();
    }
  });

  it("reports an empty logging configuration for a firewall without a logging document", async () => {
    const estateDir = await writeEstate({
      "aws/firewall.json": {
        accountId: account,
        awsRegion: "eu-west-1",
        resourceType: "AWS::NetworkFirewall::Firewall",
        resourceId: "egress-fw",
        arn: firewallArn,
        configuration: { FirewallName: "egress-fw" },
      },
    });
    const emulator = await startEmulator({ estateDir });
    try {
      const described = await createFirewallClient(emulator, account, "eu-west-1").send(
        new DescribeLoggingConfigurationCommand({ FirewallName: "egress-fw" }),
      );

      expect(described).toMatchObject({
        FirewallArn: firewallArn,
        LoggingConfiguration: { LogDestinationConfigs: [] },
      });
    } finally {
      await emulator.close();
    }
  });
});

describe("virtual networks", () => {
  it("embeds peering documents in their virtual network's row", async () => {
    const vnetId =
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/RG-Hub/providers/Microsoft.Network/virtualNetworks/vnet-hub";
    const peering = {
      id: `${vnetId}/virtualNetworkPeerings/to-spoke`,
      name: "to-spoke",
      type: "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
      properties: {
        peeringState: "Connected",
        remoteVirtualNetwork: { id: "/subscriptions/x/vnet-spoke" },
      },
    };
    const estateDir = await writeEstate({
      "azure/vnet.json": {
        id: vnetId,
        name: "vnet-hub",
        type: "Microsoft.Network/virtualNetworks",
        location: "westeurope",
        properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } },
      },
      "azure/peering.json": peering,
    });
    const emulator = await startEmulator({ estateDir });
    try {
      const graph = new ResourceGraphClient(createFakeCredential(), {
        endpoint: emulator.azureEndpoint,
        tlsOptions: { ca: emulator.caCertificate },
      });
      const result = await graph.resources({
        query: "resources",
        subscriptions: emulator.accounts.azure,
      });
      const [row] = result.data as Json[];
      const properties = (row?.properties ?? {}) as Json;

      expect(result.totalRecords).toBe(1);
      expect(properties.virtualNetworkPeerings).toEqual([peering]);
      expect(properties.addressSpace).toEqual({ addressPrefixes: ["10.0.0.0/16"] });
    } finally {
      await emulator.close();
    }
  });
});

describe("estate validation", () => {
  it("names the file, line and field of a mistake in estate.yaml", async () => {
    const estateDir = await writeEstate({
      "estate.yaml": "latencyMs: 0\nfaults:\n  - { operation: resourceGraph, kind: explode }\n",
    });
    const error = await startEmulator({ estateDir }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(EstateError);
    expect((error as Error).message).toMatch(/estate\.yaml:3 faults\[0\]\.kind: /);
  });

  it("refuses unknown settings and unquoted account ids", async () => {
    const estateDir = await writeEstate({
      "estate.yaml": "accounts: { aws: [444455556666] }\npageSize: { config: 101 }\nlatency: 5\n",
    });
    const message = String(
      await startEmulator({ estateDir }).catch((caught: Error) => caught.message),
    );

    expect(message).toMatch(
      /estate\.yaml:1 accounts\.aws\[0\]: must be a quoted 12-digit AWS account id/,
    );
    expect(message).toMatch(/estate\.yaml:2 pageSize\.config: /);
    expect(message).toMatch(/estate\.yaml:3 latency: is not a known setting/);
  });

  it("names the file of an AWS item without an account and of an Azure id without a subscription", async () => {
    const awsDir = await writeEstate({
      "aws/bad.json": [{ awsRegion: "eu-west-1", resourceType: "AWS::S3::Bucket" }],
    });
    const azureDir = await writeEstate({
      "azure/nested/bad.json": { id: "/providers/Microsoft.Foo/bars/x" },
    });

    await expect(startEmulator({ estateDir: awsDir })).rejects.toThrow(
      /aws\/bad\.json\[0\]: .*accountId/,
    );
    await expect(startEmulator({ estateDir: azureDir })).rejects.toThrow(
      /azure\/nested\/bad\.json\[0\]: .*subscriptions/,
    );
  });

  it("refuses a document nested deeper than any cloud returns, naming its file", async () => {
    const id =
      "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stdeep";
    const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
    const document = (levels: number) =>
      `{"id":"${id}","type":"Microsoft.Storage/storageAccounts","location":"westeurope",` +
      `"properties":${nested(levels)}}`;
    const tooDeep = await writeEstate({ "azure/rg/deep.json": document(7000) });
    const deepEnough = await writeEstate({ "azure/rg/deep.json": document(250) });

    await expect(startEmulator({ estateDir: tooDeep })).rejects.toThrow(
      /azure\/rg\/deep\.json: nested deeper than 256 levels/,
    );
    const emulator = await startEmulator({ estateDir: deepEnough });
    await emulator.close();
  });

  it("refuses two documents whose ids differ only in case", async () => {
    const id =
      "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1";
    const estateDir = await writeEstate({
      "azure/a.json": { id, type: "Microsoft.Storage/storageAccounts" },
      "azure/b.json": { id: id.toUpperCase(), type: "Microsoft.Storage/storageAccounts" },
    });

    await expect(startEmulator({ estateDir })).rejects.toThrow(/ids ignore case/);
  });

  it("lets programmatic settings replace the file's, key by key", async () => {
    const estateDir = await writeEstate({
      "estate.yaml": "accounts: { aws: ['444455556666'] }\nlatencyMs: 500\n",
    });
    const timeSelect = async (settings: EstateSettings | undefined): Promise<number> => {
      const emulator = await startEmulator({
        estateDir,
        ...(settings === undefined ? {} : { settings }),
      });
      try {
        const client = createConfigClient(emulator, "444455556666", "eu-west-1");
        const startedAt = performance.now();
        await client.send(new SelectResourceConfigCommand({ Expression: "SELECT resourceId" }));
        return performance.now() - startedAt;
      } finally {
        await emulator.close();
      }
    };

    const withFileLatency = await timeSelect(undefined);
    const withOverride = await timeSelect({ latencyMs: 0 });

    expect(withFileLatency).toBeGreaterThanOrEqual(490);
    expect(withOverride).toBeLessThan(400);
  });

  it("serves a copy of an estate from another folder on a chosen port", async () => {
    const estateDir = await writeEstate({});
    await cp(join(casesEstate, "azure"), join(estateDir, "azure"), { recursive: true });
    const first = await startEmulator({ estateDir });
    const port = Number(new URL(first.awsEndpoint).port);
    await first.close();
    const second = await startEmulator({ estateDir, port });
    try {
      expect(second.azureEndpoint).toBe(`https://127.0.0.1:${port}`);
      expect(second.accounts.aws).toEqual([]);
    } finally {
      await second.close();
    }
  });
});
