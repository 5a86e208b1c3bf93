import type { Finding } from "@plumbline/rules";
import { describe, expect, it } from "vitest";
import { formatFindingsTable, showControlCharacters } from "./table-parts.js";

describe("table output of cloud-supplied text", () => {
  it("shows control characters as pictures and keeps ordinary text", () => {
    expect(showControlCharacters("bucket\u001b[2Jname\u0007")).toBe("bucket\u241b[2Jname\u2407");
    expect(showControlCharacters("tab\there\u007f\u009b")).toBe("tab\u2409here\u2421\ufffd");
    expect(showControlCharacters("Grüße / 東京")).toBe("Grüße / 東京");
  });

  it("prints no escape character for a resource id that carries one", () => {
    const finding: Finding = {
      control: "network.public-access-disabled",
      provider: "aws",
      account: "111122223333",
      tenant: "retail",
      resource: "arn:aws:s3:::evil\u001b]0;owned\u0007bucket",
      subjectKey: "arn:aws:s3:::evil",
      type: "AWS::S3::Bucket",
      region: "eu-west-1",
      status: "fail",
      severity: "high",
      message: "bucket \u001b[31mred\u001b[0m is public",
      evidence: [],
    };
    const table = formatFindingsTable([finding]);
    const controls = [...table].filter((character) => {
      const code = character.charCodeAt(0);
      return (code < 0x20 && character !== "\n") || (code >= 0x7f && code <= 0x9f);
    });
    expect(controls).toEqual([]);
    expect(table).toContain("\u241b]0;owned\u2407bucket");
  });
});
