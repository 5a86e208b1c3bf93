import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join, normalize, sep } from "node:path";
import { z } from "zod";

/**
 * The file of an earlier-state folder that lists, by path relative to the estate folder, the
 * current documents that did not exist yet in the earlier state.
 */
const notYetCreatedFile = "not-yet-created.json";

const notYetCreatedSchema = z.array(z.string().min(1));

/** Reads the list of documents that did not exist yet; each path must stay inside the estate. */
async function readNotYetCreated(earlierDir: string): Promise<string[]> {
  const listPath = join(earlierDir, notYetCreatedFile);
  const paths = notYetCreatedSchema.parse(JSON.parse(await readFile(listPath, "utf8")));
  for (const path of paths) {
    const inside = normalize(path);
    if (isAbsolute(inside) || inside === ".." || inside.startsWith(`..${sep}`)) {
      throw new Error(`${listPath}: "${path}" is not a path inside the estate folder`);
    }
  }
  return paths;
}

/**
 * Runs `use` on an earlier state of an estate, assembled in a temporary folder that is removed
 * afterwards, whatever `use` does. The earlier state is the current estate without the documents
 * `not-yet-created.json` lists, with the documents of `earlierDir` laid over it: each replaces
 * the current document of the same path, or adds one that no longer exists.
 */
export async function withEarlierEstate<Result>(
  currentDir: string,
  earlierDir: string,
  use: (estateDir: string) => Promise<Result>,
): Promise<Result> {
  const notYetCreated = await readNotYetCreated(earlierDir);
  const estateDir = await mkdtemp(join(tmpdir(), "plumbline-earlier-estate-"));
  try {
    await cp(currentDir, estateDir, { recursive: true });
    // Without `force`, a listed document that is not in the current estate is an error: the list
    // has gone out of date with the estate.
    for (const path of notYetCreated) {
      await rm(join(estateDir, path));
    }
    await cp(earlierDir, estateDir, {
      recursive: true,
      filter: (source) => source !== join(earlierDir, notYetCreatedFile),
    });
    return await use(estateDir);
  } finally {
    await rm(estateDir, { recursive: true, force: true });
  }
}
