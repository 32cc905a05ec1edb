import type { AuthClientErrorInfo, TokenAnswer } from './types';

/** A failed call to one of the kit's endpoints, carrying the contract's error code. */
export class AuthClientError extends Error {
  constructor(readonly info: Omit<AuthClientErrorInfo, 'source'>) {
    super(info.detail);
    this.name = 'AuthClientError';
  }
}

/** Where the kit's endpoints live (the refresh cookie's path). */
export const AUTH_BASE = '/auth';

/** POSTs JSON to a kit endpoint (same-origin cookies included) and returns the JSON answer. */
export async function postJson<T>(
  path: string,
  body: unknown = {},
  headers: Record<string, string> = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${AUTH_BASE}${path}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  } catch {
    throw new AuthClientError({
      code: 'network_error',
      detail: 'The server cannot be reached.',
      status: 0,
    });
  }
  const data = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const retryAfter = Number(response.headers.get('retry-after')) || undefined;
    throw new AuthClientError({
      code: typeof data.code === 'string' ? data.code : 'server_error',
      detail: typeof data.detail === 'string' ? data.detail : `HTTP ${response.status}`,
      status: response.status,
      retryAfter,
    });
  }
  return data as T;
}

/** The kit's endpoints as the client calls them. */
export const authApi = {
  signIn: (username: string, password: string) =>
    postJson<TokenAnswer>('/sign-in/', { username, password }),
  socialExchange: (tokens: { id_token: string; access_token: string }) =>
    postJson<TokenAnswer>('/social-exchange/', tokens),
  refresh: (csrfToken: string) => postJson<TokenAnswer>('/refresh/', { CSRF_token: csrfToken }),
  logoff: (csrfToken: string | null) =>
    postJson<unknown>('/logoff/', csrfToken ? { CSRF_token: csrfToken } : {}),
  logoffAll: (accessToken: string) =>
    postJson<unknown>('/logoff-all/', {}, { Authorization: `Bearer ${accessToken}` }),
};
