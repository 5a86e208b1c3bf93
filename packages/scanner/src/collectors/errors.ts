/** Longest error message kept in a collection reason, in characters. */
const MAX_MESSAGE_LENGTH = 200;

/**
 * Describes a cloud error in one line for a collection reason: HTTP status, error code and the
 * start of the message (`429 RateLimiting: Please provide below info…`).
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, MAX_MESSAGE_LENGTH);
  if (credentialErrorNames.has(error.name)) {
    // The credential chain explains every link it tried over many lines; the first says enough.
    const first = error.message.split("\n")[0]?.trim() ?? "";
    return `the credential could not get a token (${error.name}: ${first})`;
  }
  const details = error as Error & {
    statusCode?: number;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const status = details.statusCode ?? details.$metadata?.httpStatusCode;
  const code = details.code ?? (error.name !== "Error" ? error.name : undefined);
  const message = error.message.replace(/\s+/g, " ").trim().slice(0, MAX_MESSAGE_LENGTH);
  const prefix = [status, code].filter((part) => part !== undefined && part !== "").join(" ");
  return prefix ? `${prefix}: ${message}` : message;
}

/** Errors of @azure/identity credentials, which carry no HTTP status of their own. */
const credentialErrorNames = new Set([
  "AuthenticationError",
  "AggregateAuthenticationError",
  "CredentialUnavailableError",
]);

/**
 * Wraps a failure of the resource consumer (`onResources`), so that collectors that turn cloud
 * failures into a partial result still let the consumer's own failure end the collection.
 */
export class ResourceConsumerError extends Error {
  override readonly name = "ResourceConsumerError";

  constructor(cause: unknown) {
    super("the resource consumer failed", { cause });
  }
}
