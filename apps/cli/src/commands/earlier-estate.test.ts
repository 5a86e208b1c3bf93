import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { withEarlierEstate } from "./earlier-estate.js";

async function writeDocument(root: string, path: string, content: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

describe("withEarlierEstate", () => {
  let root: string;
  let current: string;
  let earlier: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "plumbline-overlay-test-"));
    current = join(root, "estate");
    earlier = join(root, "estate-earlier");
    await writeDocument(current, "estate.yaml", "azure: {}\n");
    await writeDocument(current, "azure/sub/rg/account.json", '{"state":"now"}');
    await writeDocument(current, "azure/sub/rg/unchanged.json", '{"state":"same"}');
    await writeDocument(current, "aws/111122223333/eu-west-1/new-bucket.json", '{"state":"new"}');
    await writeDocument(earlier, "azure/sub/rg/account.json", '{"state":"then"}');
    await writeDocument(earlier, "aws/111122223333/eu-west-1/old-bucket.json", '{"state":"old"}');
    await writeDocument(
      earlier,
      "not-yet-created.json",
      '["aws/111122223333/eu-west-1/new-bucket.json"]',
    );
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("lays the earlier documents over the estate, less those not yet created", async () => {
    const seen = await withEarlierEstate(current, earlier, async (estateDir) => ({
      estateDir,
      account: await readFile(join(estateDir, "azure/sub/rg/account.json"), "utf8"),
      unchanged: await readFile(join(estateDir, "azure/sub/rg/unchanged.json"), "utf8"),
      settings: await readFile(join(estateDir, "estate.yaml"), "utf8"),
      euWest1: (await readdir(join(estateDir, "aws/111122223333/eu-west-1"))).sort(),
      top: (await readdir(estateDir)).sort(),
    }));

    expect(seen.account).toBe('{"state":"then"}');
    expect(seen.unchanged).toBe('{"state":"same"}');
    expect(seen.settings).toBe("azure: {}\n");
    expect(seen.euWest1).toEqual(["old-bucket.json"]);
    expect(seen.top).toEqual(["aws", "azure", "estate.yaml"]);
    // The assembled folder is gone and the current estate is as it was.
    expect(await exists(seen.estateDir)).toBe(false);
    expect(await readFile(join(current, "azure/sub/rg/account.json"), "utf8")).toBe(
      '{"state":"now"}',
    );
    expect(await exists(join(current, "aws/111122223333/eu-west-1/new-bucket.json"))).toBe(true);
  });

  it("removes the assembled folder when the work on it fails", async () => {
    let assembled = "";
    await expect(
      withEarlierEstate(current, earlier, async (estateDir) => {
        assembled = estateDir;
        throw new Error("scan failed");
      }),
    ).rejects.toThrow("scan failed");

    expect(assembled).not.toBe("");
    expect(await exists(assembled)).toBe(false);
  });

  it("refuses a list naming a document the current estate does not have", async () => {
    await writeDocument(earlier, "not-yet-created.json", '["azure/sub/rg/gone.json"]');
    let used = false;

    await expect(
      withEarlierEstate(current, earlier, async () => {
        used = true;
      }),
    ).rejects.toMatchObject({ code: "ENOENT" });
    expect(used).toBe(false);
  });

  it("refuses a list naming a path outside the estate folder", async () => {
    await writeDocument(earlier, "not-yet-created.json", '["../estate.yaml"]');

    await expect(withEarlierEstate(current, earlier, async () => undefined)).rejects.toThrow(
      '"../estate.yaml" is not a path inside the estate folder',
    );
    expect(await exists(join(current, "estate.yaml"))).toBe(true);
  });
});
