/**
 * What went wrong, in terms a caller can act on:
 * - `connection`: the database could not be reached, or refused the session;
 * - `migration`: the schema could not be brought up to date;
 * - `conflict`: the data contradicts what is stored (the same identity twice, for instance);
 * - `not-found`: the scan named, or a record the data refers to, does not exist;
 * - `unknown`: anything else the database rejected.
 */
export type StoreErrorKind = "connection" | "migration" | "conflict" | "not-found" | "unknown";

const explanations: Record<StoreErrorKind, string> = {
  connection: "the database could not be reached",
  migration: "the database schema could not be brought up to date",
  conflict: "the data conflicts with itself or with what is stored",
  "not-found": "a record it names does not exist",
  unknown: "the database rejected the operation",
};

/**
 * Why a connection failed, from the driver (`role "x" does not exist`, `connect ECONNREFUSED
 * 127.0.0.1:5999`): it names no SQL or data, and it is what the person at the keyboard must fix.
 */
function connectionDetail(kind: StoreErrorKind, options: { cause?: unknown } | undefined): string {
  if (kind !== "connection") return "";
  // The query builder wraps the driver's error in one that quotes the SQL; the driver's own
  // error, at the bottom of the chain, is the one that says what is wrong with the connection.
  let cause = options?.cause;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  if (!(cause instanceof Error) || cause.message === "") return "";
  return ` (${cause.message.split("\n")[0]?.slice(0, 200)})`;
}

/**
 * A failure of the store. The message names the operation and the kind of failure only; the
 * database's own error (which may quote SQL and values) stays in `cause` for logs.
 */
export class StoreError extends Error {
  override readonly name = "StoreError";

  constructor(
    readonly kind: StoreErrorKind,
    /** The operation that failed, as a phrase: "write resources". */
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Could not ${operation}: ${explanations[kind]}${connectionDetail(kind, options)}.`,
      options,
    );
  }
}

// SQLSTATE classes and codes: 08 connection exception, 28 invalid authorization, 3D invalid
// catalog (the database does not exist), 57P01-57P03 shutdown or not yet accepting, 53300 too
// many connections.
const connectionCodes = new Set(["53300", "57P01", "57P02", "57P03"]);
// 23503: every foreign key points at a scan, so the scan named does not exist.
const notFoundCodes = new Set(["23503"]);
// 23 integrity violation, 40001 serialization failure, 40P01 deadlock, 21000 a multi-row
// upsert that names the same row twice.
const conflictCodes = new Set(["21000", "40001", "40P01"]);
const networkCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);

/** The first `code` found on the error or its chain of causes (drizzle wraps driver errors). */
function findErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code: unknown = (current as { code?: unknown }).code;
    if (typeof code === "string" && code.length > 0) {
      return code;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function hasConnectionMessage(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    // node-postgres reports a dropped socket without a code.
    if (/Connection terminated|connection is closed|PGlite is closed/i.test(current.message)) {
      return true;
    }
    current = current.cause;
  }
  return false;
}

/** Sorts a database error into a kind. */
export function classifyError(error: unknown): StoreErrorKind {
  if (error instanceof StoreError) {
    return error.kind;
  }

  const code = findErrorCode(error);
  if (code !== undefined) {
    if (
      networkCodes.has(code) ||
      connectionCodes.has(code) ||
      code.startsWith("08") ||
      code.startsWith("28") ||
      code.startsWith("3D")
    ) {
      return "connection";
    }
    if (notFoundCodes.has(code)) {
      return "not-found";
    }
    if (conflictCodes.has(code) || code.startsWith("23")) {
      return "conflict";
    }
  }

  return hasConnectionMessage(error) ? "connection" : "unknown";
}

/** Wraps any failure of `operation` as a StoreError, keeping the original as its cause. */
export function toStoreError(
  error: unknown,
  operation: string,
  fallback: StoreErrorKind = "unknown",
): StoreError {
  if (error instanceof StoreError) {
    return error;
  }
  const kind = classifyError(error);
  return new StoreError(kind === "unknown" ? fallback : kind, operation, { cause: error });
}
