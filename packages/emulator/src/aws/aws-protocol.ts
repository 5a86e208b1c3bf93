import { randomUUID } from "node:crypto";
import { jsonResponse, type WireResponse } from "../wire.js";

/** An AWS error answer: HTTP status, the `__type` code and its message. */
export class AwsServiceError extends Error {
  override readonly name = "AwsServiceError";

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Who signed a request: the access key id and the credential scope's region and service. */
export interface CredentialScope {
  accessKeyId: string;
  region: string;
  service: string;
}

const emulatorKeyPattern = /^AKIA(\d{12})EMUL$/;

/** The access key id the emulator maps to an AWS account: `AKIA` + 12-digit id + `EMUL`. */
export function emulatorAccessKeyId(accountId: string): string {
  if (!/^\d{12}$/.test(accountId)) {
    throw new RangeError(`"${accountId}" is not a 12-digit AWS account id`);
  }
  return `AKIA${accountId}EMUL`;
}

/** The account an emulator access key id stands for, or undefined for any other key. */
export function readAccountFromAccessKeyId(accessKeyId: string): string | undefined {
  return emulatorKeyPattern.exec(accessKeyId)?.[1];
}

/**
 * Reads the SigV4 credential scope from an Authorization header
 * (`AWS4-HMAC-SHA256 Credential=AKID/20261203/eu-west-1/config/aws4_request, …`).
 */
export function readCredentialScope(
  authorization: string | undefined,
): CredentialScope | undefined {
  if (authorization === undefined) return undefined;
  const match = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization);
  if (match === null) return undefined;
  const [, accessKeyId, region, service] = match;
  if (accessKeyId === undefined || region === undefined || service === undefined) return undefined;
  return { accessKeyId, region, service };
}

/** The error answer in the AWS JSON protocols' shape. */
export function awsErrorResponse(error: AwsServiceError, contentType: string): WireResponse {
  return jsonResponse(error.status, { __type: error.code, message: error.message }, contentType, {
    "x-amzn-requestid": randomUUID(),
  });
}

/** A successful AWS JSON answer. */
export function awsResponse(body: unknown, contentType: string): WireResponse {
  return jsonResponse(200, body, contentType, { "x-amzn-requestid": randomUUID() });
}

/** The refusal a request gets when its key or region is not accepted. */
export function unrecognisedClient(): AwsServiceError {
  return new AwsServiceError(
    403,
    "UnrecognizedClientException",
    "The security token included in the request is invalid.",
  );
}

/** A 400 `ValidationException`. */
export function validationError(message: string): AwsServiceError {
  return new AwsServiceError(400, "ValidationException", message);
}

/** Epoch seconds for a timestamp given as a number or an ISO string; undefined otherwise. */
export function toEpochSeconds(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return undefined;
  const milliseconds = Date.parse(value);
  return Number.isNaN(milliseconds) ? undefined : milliseconds / 1000;
}
