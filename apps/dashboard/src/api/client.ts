/** An error answer of the API: its stable `code`, its message and the HTTP status. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

/** Query values; `undefined` and empty strings are left out of the URL. */
export type QueryValues = Record<string, string | number | undefined>;

/** A file the API produced (an export), with the name the server suggested. */
export interface DownloadedFile {
  blob: Blob;
  fileName: string;
}

/** Checks an answer against the API's contract; the API's zod schemas fit this shape. */
export interface ResponseSchema<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false; error: unknown };
}

/** Talks to `/api/v1` with one bearer token; every JSON answer is checked against its schema. */
export interface ApiClient {
  get<T>(
    path: string,
    schema: ResponseSchema<T>,
    query?: QueryValues,
    signal?: AbortSignal,
  ): Promise<T>;
  post<T>(path: string, schema: ResponseSchema<T>, body: unknown): Promise<T>;
  remove<T>(path: string, schema: ResponseSchema<T>): Promise<T>;
  download(path: string, query: QueryValues, fallbackName: string): Promise<DownloadedFile>;
}

const apiRoot = "/api/v1";

export function buildUrl(path: string, query: QueryValues = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== "") {
      params.set(key, String(value));
    }
  }
  const search = params.toString();
  return `${apiRoot}${path}${search === "" ? "" : `?${search}`}`;
}

async function errorFrom(response: Response): Promise<ApiError> {
  let code = `http_${response.status}`;
  let message = response.statusText || "The request failed.";
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === "string") {
      code = body.error.code;
    }
    if (typeof body.error?.message === "string") {
      message = body.error.message;
    }
  } catch {
    // Not JSON (a proxy's error page): keep the status line.
  }
  return new ApiError(response.status, code, message);
}

async function parseBody<T>(response: Response, schema: ResponseSchema<T>): Promise<T> {
  const parsed = schema.safeParse(await response.json());
  if (!parsed.success) {
    throw new ApiError(
      response.status,
      "invalid_response",
      "The API answered in a shape this dashboard does not understand.",
    );
  }
  return parsed.data;
}

function fileNameFrom(response: Response, fallback: string): string {
  const disposition = response.headers.get("content-disposition") ?? "";
  const match = /filename="?([^";]+)"?/i.exec(disposition);
  return match?.[1] ?? fallback;
}

/**
 * Creates a client for one token. `onUnauthorized` runs on a 401 so the dashboard can return
 * to sign-in when a token expires or is revoked mid-session.
 */
export function createApiClient(token: string, onUnauthorized: () => void): ApiClient {
  const headers = { authorization: `Bearer ${token}`, accept: "application/json" };

  async function send(url: string, init: RequestInit): Promise<Response> {
    const response = await fetch(url, { ...init, headers: { ...headers, ...init.headers } });
    if (response.status === 401) {
      onUnauthorized();
    }
    if (!response.ok) {
      throw await errorFrom(response);
    }
    return response;
  }

  return {
    async get(path, schema, query, signal) {
      const response = await send(buildUrl(path, query), signal ? { signal } : {});
      return parseBody(response, schema);
    },
    async post(path, schema, body) {
      const response = await send(buildUrl(path), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return parseBody(response, schema);
    },
    async remove(path, schema) {
      const response = await send(buildUrl(path), { method: "DELETE" });
      return parseBody(response, schema);
    },
    async download(path, query, fallbackName) {
      const response = await send(buildUrl(path, query), { headers: { accept: "*/*" } });
      return { blob: await response.blob(), fileName: fileNameFrom(response, fallbackName) };
    },
  };
}

/** Asks the API who a token belongs to, before any session exists. */
export async function fetchIdentity<T>(token: string, schema: ResponseSchema<T>): Promise<T> {
  const response = await fetch(buildUrl("/me"), {
    headers: { authorization: `Bearer ${token}`, accept: "application/json" },
  });
  if (!response.ok) {
    throw await errorFrom(response);
  }
  return parseBody(response, schema);
}
