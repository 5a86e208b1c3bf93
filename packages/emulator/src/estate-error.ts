import { stat } from "node:fs/promises";

/** An estate directory or its settings cannot be served; the message names the file and field. */
export class EstateError extends Error {
  override readonly name = "EstateError";
}

/** Throws an EstateError unless `directory` is an existing folder. */
export async function requireEstateDirectory(directory: string): Promise<void> {
  const found = await stat(directory).catch(() => undefined);
  if (found === undefined) {
    throw new EstateError(`${directory}: the estate directory does not exist`);
  }
  if (!found.isDirectory()) {
    throw new EstateError(`${directory}: the estate must be a directory, not a file`);
  }
}
