import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TokenCredential } from "@azure/core-auth";

/** A parsed JSON object. */
export type Json = Record<string, unknown>;

const fixturesDir = fileURLToPath(new URL("../../../../test-data/fixtures/", import.meta.url));

/** Reads a file of test-data/fixtures (path relative to that folder). */
export function readFixture<T = Json>(relativePath: string): T {
  return JSON.parse(readFileSync(join(fixturesDir, relativePath), "utf8")) as T;
}

/** The documents of an ARM fixture: a single document, a list body, or a recorded list answer. */
export function readArmDocuments(relativePath: string): Json[] {
  const fixture = readFixture<Json>(relativePath);
  const response = fixture.response as { body?: { value?: Json[] } } | undefined;
  if (response?.body?.value !== undefined) return response.body.value;
  if (Array.isArray(fixture.value)) return fixture.value as Json[];
  return [fixture];
}

/** The request and response of a recorded AWS call. */
export interface RecordedCall {
  request: { url: string; headers: Record<string, string>; body: Json };
  response: { status: number; body: Json };
}

/** The rows of a recorded Select answer, parsed from their JSON strings. */
export function readSelectRows(call: RecordedCall): Json[] {
  const results = call.response.body.Results as string[];
  return results.map((row) => JSON.parse(row) as Json);
}

/** Files of an estate directory: paths relative to it, contents as values. */
export type EstateFiles = Record<string, unknown>;

const createdDirectories: string[] = [];

/**
 * Writes an estate directory in a fresh temporary folder. Values that are strings are written
 * as they are (estate.yaml); others as JSON.
 */
export async function writeEstate(files: EstateFiles): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "plumbline-emulator-"));
  createdDirectories.push(directory);
  for (const [relativePath, content] of Object.entries(files)) {
    const path = join(directory, relativePath);
    await mkdir(dirname(path), { recursive: true });
    const text = typeof content === "string" ? content : JSON.stringify(content, null, 2);
    await writeFile(path, text);
  }
  return directory;
}

/** Removes every estate directory written so far. */
export async function removeEstates(): Promise<void> {
  const directories = createdDirectories.splice(0);
  await Promise.all(
    directories.map((directory) => rm(directory, { recursive: true, force: true })),
  );
}

/** A credential that hands out a fixed token for any scope; the emulator accepts any token. */
export function createFakeCredential(token = "emulator-test-token"): TokenCredential {
  return {
    getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
  };
}
