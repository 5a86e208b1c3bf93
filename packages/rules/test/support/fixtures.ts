import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's test data folder (fixtures and known-verdict cases). */
export const TEST_DATA_DIR = fileURLToPath(new URL("../../../../test-data/", import.meta.url));

/** Parses a JSON file under test-data. */
export function readTestData(relativePath: string): unknown {
  return JSON.parse(readFileSync(join(TEST_DATA_DIR, relativePath), "utf8"));
}

/** Parses an Azure fixture by file name. */
export function azureFixture(fileName: string): unknown {
  return readTestData(join("fixtures/azure", fileName));
}

/** Parses an AWS fixture by file name. */
export function awsFixture(fileName: string): unknown {
  return readTestData(join("fixtures/aws", fileName));
}

/** Names of the files in a test-data folder. */
export function listTestData(relativeDir: string): string[] {
  return readdirSync(join(TEST_DATA_DIR, relativeDir)).sort();
}

function asRecord(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error("fixture is not a JSON object");
  }
  return value as Record<string, unknown>;
}

/**
 * The ARM documents in a fixture: a single document, an ARM list (`value`), an http recording
 * of either, or a Resource Graph objectArray response (`data`).
 */
export function armDocumentsOf(fixture: unknown): Record<string, unknown>[] {
  const record = asRecord(fixture);
  if (Object.hasOwn(record, "response")) {
    return armDocumentsOf(asRecord(record.response).body);
  }
  if (Array.isArray(record.value)) return record.value.map(asRecord);
  if (Array.isArray(record.data)) return record.data.map(asRecord);
  return [record];
}

/** The configuration items of a Select recording (rows are JSON strings). */
export function selectRowsOf(fixture: unknown): Record<string, unknown>[] {
  const body = asRecord(asRecord(asRecord(fixture).response).body);
  const results = body.Results;
  if (!Array.isArray(results)) throw new Error("fixture has no Results");
  return results.map((row) => asRecord(JSON.parse(String(row))));
}
