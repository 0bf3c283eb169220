/**
 * The HTTP client the end-to-end suites talk to the API with. It carries credentials (a
 * bearer token) on every request when given them, so the suites keep working once every
 * route needs a token; the body comes back parsed when it is JSON (problem+json, FHIR JSON,
 * NDJSON as text) with the status and headers.
 */

/**
 * A fixed token, or one chosen per request (e.g. the role the access policy names for the
 * route, test/support/tokens.ts), or none.
 */
export type ApiCredentials =
  | { readonly bearerToken?: string }
  | { readonly tokenFor: (method: string, path: string) => Promise<string | undefined> };

export type ApiResponse = {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  readonly body: unknown;
  readonly text: string;
};

export type ApiRequest = {
  /** Sent as JSON unless `raw` is given. */
  readonly json?: unknown;
  /** Bytes or text sent as they are, with the content type from `headers`. */
  readonly raw?: string | Uint8Array;
  readonly headers?: Readonly<Record<string, string>>;
};

export type ApiClient = {
  readonly baseUrl: string;
  request(method: string, path: string, request?: ApiRequest): Promise<ApiResponse>;
  get(path: string, headers?: Readonly<Record<string, string>>): Promise<ApiResponse>;
  post(path: string, json: unknown, headers?: Readonly<Record<string, string>>): Promise<ApiResponse>;
  /** The same client with other credentials (e.g. another role's token). */
  as(credentials: ApiCredentials): ApiClient;
};

export function apiClient(baseUrl: string, credentials: ApiCredentials = {}): ApiClient {
  async function request(method: string, path: string, req: ApiRequest = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = {};
    const token = 'tokenFor' in credentials ? await credentials.tokenFor(method, path) : credentials.bearerToken;
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    let body: string | Uint8Array | undefined;
    if (req.raw !== undefined) body = req.raw;
    else if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    }
    Object.assign(headers, req.headers);
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : Buffer.from(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: parseJson(text), text };
  }
  return {
    baseUrl,
    request,
    get: (path, headers = {}) => request('GET', path, { headers }),
    post: (path, json, headers = {}) => request('POST', path, { json, headers }),
    as: (other) => apiClient(baseUrl, other),
  };
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // NDJSON, HTML or plain text: read `text`
  }
}
