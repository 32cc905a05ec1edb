import { parseSetCookie, type SetCookie } from 'cookie';

/** A Set-Cookie header as the test client parsed it, attributes and all. */
export type ParsedCookie = SetCookie;

/** Parses every `Set-Cookie` of a response. */
export function setCookies(response: Response): ParsedCookie[] {
  return response.headers.getSetCookie().map((header) => parseSetCookie(header));
}

/** A cookie-jar HTTP client for one browser-like user agent (one session per instance). */
export class HttpClient {
  readonly jar = new Map<string, { value: string; path: string }>();

  constructor(
    readonly baseUrl: string,
    readonly defaultHeaders: Record<string, string> = {},
  ) {}

  private cookieHeader(path: string): string {
    return [...this.jar.entries()]
      .filter(
        ([, c]) =>
          path === c.path ||
          path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) ||
          c.path === '/',
      )
      .map(([name, c]) => `${name}=${encodeURIComponent(c.value)}`)
      .join('; ');
  }

  /** Stores (or, when expired, removes) the cookies a response set. */
  absorb(response: Response): void {
    for (const cookie of setCookies(response)) {
      if (cookie.expires && cookie.expires.getTime() <= Date.now()) this.jar.delete(cookie.name);
      else this.jar.set(cookie.name, { value: cookie.value ?? '', path: cookie.path ?? '/' });
    }
  }

  /** Sends a request with the jar's cookies and JSON body, and keeps the cookies it sets. */
  async request(
    method: string,
    path: string,
    {
      json,
      headers = {},
      body,
    }: { json?: unknown; headers?: Record<string, string>; body?: BodyInit } = {},
  ): Promise<Response> {
    const cookie = this.cookieHeader(path);
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(json !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(cookie ? { Cookie: cookie } : {}),
        ...this.defaultHeaders,
        ...headers,
      },
      body: json !== undefined ? JSON.stringify(json) : body,
    });
    this.absorb(response);
    return response;
  }

  post(path: string, json?: unknown, headers?: Record<string, string>): Promise<Response> {
    return this.request('POST', path, { json, headers });
  }
}
