import { AsyncLocalStorage } from "node:async_hooks";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

/** A response body exactly as the cloud sent it, with the request it answered. */
export interface CapturedBody {
  url: string;
  status: number;
  bodyText: string;
}

const captureSinks = new AsyncLocalStorage<CapturedBody[]>();

/**
 * Creates an Azure pipeline policy that hands each final response body (after retries) to the
 * capture started by `captureRawBodies` in the same async context. The ARM SDK clients rebuild
 * documents through their models, which drops unknown properties and turns dates into `Date`;
 * Plumbline keeps documents exactly as sent, so it reads the body text instead.
 */
export function createRawBodyCapturePolicy(): PipelinePolicy {
  return {
    name: "plumblineRawBodyCapture",
    async sendRequest(request, next) {
      const response = await next(request);
      captureSinks.getStore()?.push({
        url: request.url,
        status: response.status,
        bodyText: response.bodyAsText ?? "",
      });
      return response;
    },
  };
}

/**
 * Runs `work` with a fresh capture: every response of a client carrying the capture policy,
 * sent from within `work`, is appended to the array passed in.
 */
export function captureRawBodies<T>(work: (captured: CapturedBody[]) => Promise<T>): Promise<T> {
  const captured: CapturedBody[] = [];
  return captureSinks.run(captured, () => work(captured));
}
