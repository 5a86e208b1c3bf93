import { describe, expect, it } from "vitest";
import { contextWith } from "../../test/support/evaluation.js";
import { fromArmDocument } from "../canonical/from-arm-document.js";
import { fromConfigItem } from "../canonical/from-config-item.js";
import type { CanonicalResource } from "../model.js";
import { CONTROLS } from "./registry.js";
import type { ResourceControl } from "./types.js";
import { checkCollected, checkReferenceCollected } from "./verdicts.js";

const SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";

/** Types a control that covers every type (`*`) is tried on. */
const EVERY_TYPE_SAMPLES = [
  "Microsoft.Web/sites",
  "Microsoft.Storage/storageAccounts",
  "AWS::EC2::VPC",
  "AWS::S3::Bucket",
];

/** An ARM document of a type, with `properties` left out. */
function armWithoutProperties(type: string): CanonicalResource {
  const [provider, ...segments] = type.split("/");
  const path = segments.map((segment, index) => `${segment}/item${index}`).join("/");
  return fromArmDocument({
    id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/${provider}/${path}`,
    type,
    location: "westeurope",
  });
}

/** The configuration items of a type that were not collected, as Config can deliver them. */
function uncollectedItems(type: string): CanonicalResource[] {
  const item = (parts: Record<string, unknown>) =>
    fromConfigItem({
      accountId: "111122223333",
      awsRegion: "eu-west-1",
      resourceType: type,
      resourceId: "item0",
      configurationItemStatus: "OK",
      ...parts,
    });
  const items = [
    item({}),
    item({ configurationItemStatus: "ResourceNotRecorded" }),
    // A status AWS Config does not document is no more readable than one it did not record.
    item({ configurationItemStatus: "ResourceSuspended" }),
    item({ configuration: null, supplementaryConfiguration: {} }),
  ];
  // Config keeps the settings of S3 buckets in supplementaryConfiguration.
  if (type === "AWS::S3::Bucket") items.push(item({ configuration: {} }));
  return items;
}

function uncollected(type: string): CanonicalResource[] {
  return type.startsWith("AWS::") ? uncollectedItems(type) : [armWithoutProperties(type)];
}

const resourceControls = CONTROLS.filter((c): c is ResourceControl => c.scope === "resource");

describe("the shared collection guard", () => {
  it("names every part of the document that is missing", () => {
    const bucket = fromConfigItem({
      accountId: "111122223333",
      awsRegion: "eu-west-1",
      resourceType: "AWS::S3::Bucket",
      resourceId: "b",
      arn: "arn:aws:s3:::b",
    });
    expect(checkCollected(bucket)).toEqual({
      status: "error",
      message:
        "AWS::S3::Bucket b has no configuration or supplementaryConfiguration in the collected " +
        "document; the data needed was not collected",
      evidence: [
        { path: "configuration", expected: "an object" },
        { path: "supplementaryConfiguration", expected: "an object" },
      ],
    });
  });

  it("prefixes the evidence of a referenced item with its id", () => {
    const block = fromConfigItem({
      accountId: "111122223333",
      awsRegion: "eu-west-1",
      resourceType: "AWS::S3::AccountPublicAccessBlock",
      resourceId: "111122223333",
      configurationItemStatus: "ResourceNotRecorded",
    });
    expect(checkReferenceCollected(block)?.evidence).toEqual([
      {
        path: "AWS::S3::AccountPublicAccessBlock/111122223333#configurationItemStatus",
        actual: "ResourceNotRecorded",
        expected: "OK or ResourceDiscovered",
      },
    ]);
  });

  for (const control of resourceControls) {
    it(`${control.id} answers every document that was not collected with the guard's error`, () => {
      const types = control.resourceTypes.includes("*")
        ? EVERY_TYPE_SAMPLES
        : control.resourceTypes;
      let judged = 0;
      for (const type of types) {
        for (const resource of uncollected(type)) {
          if (control.appliesTo !== undefined && !control.appliesTo(resource)) continue;
          const expected = checkCollected(resource);
          expect(expected?.status, `${type} ${JSON.stringify(resource.raw)}`).toBe("error");
          expect(control.evaluate(resource, contextWith()), type).toEqual(expected);
          judged += 1;
        }
      }
      expect(judged).toBeGreaterThan(0);
    });
  }
});
