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
  let data: unknown;
  try {
    data = await response.json();
  } catch {
    // An answer whose body never arrived (the page navigated away mid-read, the connection
    // dropped) is no answer: a 2xx must not be taken for success with nothing in it.
    if (response.ok) throw unreadableAnswer();
  }
  if (!response.ok) {
    // A proxy in front may answer with anything (HTML, `null`): only the kit's own fields count.
    const { code, detail } = (data && typeof data === 'object' ? data : {}) as Record<
      string,
      unknown
    >;
    const retryAfter = Number(response.headers.get('retry-after')) || undefined;
    throw new AuthClientError({
      code: typeof code === 'string' ? code : 'server_error',
      detail: typeof detail === 'string' ? detail : `HTTP ${response.status}`,
      status: response.status,
      retryAfter,
    });
  }
  return data as T;
}

function unreadableAnswer(): AuthClientError {
  return new AuthClientError({
    code: 'network_error',
    detail: "The server's answer could not be read.",
    status: 0,
  });
}

/** POSTs to a token endpoint; an answer without the token members is refused, never stored. */
async function postForTokens(path: string, body: unknown): Promise<TokenAnswer> {
  const answer = await postJson<Partial<TokenAnswer> | null>(path, body);
  if (
    typeof answer?.access_token !== 'string' ||
    typeof answer.CSRF_token !== 'string' ||
    typeof answer.expires !== 'number'
  )
    throw unreadableAnswer();
  return answer as TokenAnswer;
}

/** The kit's endpoints as the client calls them. */
export const authApi = {
  signIn: (username: string, password: string) =>
    postForTokens('/sign-in/', { username, password }),
  socialExchange: (tokens: { id_token: string; access_token: string }) =>
    postForTokens('/social-exchange/', tokens),
  refresh: (csrfToken: string) => postForTokens('/refresh/', { CSRF_token: csrfToken }),
  logoff: (csrfToken: string | null) =>
    postJson<unknown>('/logoff/', csrfToken ? { CSRF_token: csrfToken } : {}),
  logoffAll: (accessToken: string) =>
    postJson<unknown>('/logoff-all/', {}, { Authorization: `Bearer ${accessToken}` }),
};
