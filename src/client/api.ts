import type { AuthClientErrorInfo, TokenAnswer } from './types';
import { readSecondStep } from './second-step';

/** A failed call to one of the kit's endpoints, carrying the contract's error code. */
export class AuthClientError extends Error {
  constructor(readonly info: Omit<AuthClientErrorInfo, 'source'>) {
    super(info.detail);
    this.name = 'AuthClientError';
  }
}

/** Where the kit's endpoints live (the refresh cookie's path). */
export const AUTH_BASE = '/auth';

/** How {@link requestJson} sends a request. */
export interface JsonRequest {
  /** `POST` (the default) sends `body` as JSON; `GET` sends no body. */
  method?: 'GET' | 'POST';
  body?: unknown;
  /** A Bearer access token for the endpoints that need one. */
  accessToken?: string | null;
  headers?: Record<string, string>;
}

/** Only the contract's shape of field errors (`{ field: ["message", ...] }`) is kept. */
function fieldErrors(value: unknown): Record<string, string[]> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const errors: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(value)) {
    const list = (Array.isArray(messages) ? messages : [messages]).filter(
      (message): message is string => typeof message === 'string' && message.length > 0,
    );
    if (list.length > 0) errors[field] = list;
  }
  return Object.keys(errors).length > 0 ? errors : undefined;
}

/**
 * The one way the client calls a kit endpoint: JSON in and out, same-origin cookies included,
 * the Bearer token when given. Resolves with the status and the JSON answer of a 2xx.
 * @throws AuthClientError with the contract's `code`, `detail`, `errors` and `Retry-After`.
 */
export async function requestJson<T>(
  path: string,
  { method = 'POST', body = {}, accessToken, headers = {} }: JsonRequest = {},
): Promise<{ status: number; data: T }> {
  let response: Response;
  try {
    response = await fetch(`${AUTH_BASE}${path}`, {
      method,
      credentials: 'same-origin',
      headers: {
        ...(method === 'POST' ? { 'Content-Type': 'application/json' } : {}),
        ...(accessToken ? { Authorization: `Bearer ${accessToken}` } : {}),
        ...headers,
      },
      body: method === 'POST' ? JSON.stringify(body) : undefined,
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
    const { code, detail, errors } = (data && typeof data === 'object' ? data : {}) as Record<
      string,
      unknown
    >;
    const retryAfter = Number(response.headers.get('retry-after')) || undefined;
    const fields = fieldErrors(errors);
    throw new AuthClientError({
      code: typeof code === 'string' ? code : 'server_error',
      detail: typeof detail === 'string' ? detail : `HTTP ${response.status}`,
      status: response.status,
      retryAfter,
      ...(fields ? { errors: fields } : {}),
    });
  }
  return { status: response.status, data: data as T };
}

/** A 2xx whose body is not what the endpoint answers. */
export function unreadableAnswer(): AuthClientError {
  return new AuthClientError({
    code: 'network_error',
    detail: "The server's answer could not be read.",
    status: 0,
  });
}

/** The error of code that could not be loaded (offline, or a deploy that removed the chunk). */
export function loadFailure(source: AuthClientErrorInfo['source']): AuthClientErrorInfo {
  return {
    source,
    code: 'network_error',
    detail: 'This part of the page could not be loaded. Check your connection and try again.',
    status: 0,
  };
}

/**
 * The body of a sign-in answer (sign-in, social exchange, refresh, e-mail verification, password
 * change, sign-up without verification), or an error: an answer without the token members is
 * refused, never stored.
 * @throws AuthClientError `network_error` when `body` is not a sign-in answer.
 */
export function asTokenAnswer(body: unknown): TokenAnswer {
  const answer = body as Partial<TokenAnswer> | null;
  if (
    typeof answer?.access_token !== 'string' ||
    typeof answer.CSRF_token !== 'string' ||
    typeof answer.expires !== 'number'
  )
    throw unreadableAnswer();
  return answer as TokenAnswer;
}

/**
 * POSTs to an endpoint that answers with tokens.
 * @throws SecondFactorRequired when the answer asks for a second factor instead (sign-in and
 * social exchange for a user with TOTP on).
 */
export async function postForTokens(
  path: string,
  body: unknown,
  accessToken?: string,
): Promise<TokenAnswer> {
  const { data } = await requestJson<unknown>(path, { body, accessToken });
  const secondStep = readSecondStep(data);
  if (secondStep) throw secondStep;
  return asTokenAnswer(data);
}

/** A `{ detail }` answer (202s and confirmations): the sentence, or '' when there is none. */
export async function postForDetail(
  path: string,
  body: unknown,
  accessToken?: string,
): Promise<string> {
  const { data } = await requestJson<{ detail?: unknown } | null>(path, { body, accessToken });
  return typeof data?.detail === 'string' ? data.detail : '';
}

/**
 * The sign-in and session endpoints as the client calls them (docs/endpoints.md); the account's
 * are in account.ts, the second factor's in mfa.ts and second-step.ts, the passkeys' in passkeys.ts.
 */
export const authApi = {
  signIn: (username: string, password: string) =>
    postForTokens('/sign-in/', { username, password }),
  socialExchange: (tokens: { id_token: string; access_token: string }) =>
    postForTokens('/social-exchange/', tokens),
  refresh: (csrfToken: string) => postForTokens('/refresh/', { CSRF_token: csrfToken }),
  logoff: (csrfToken: string | null) =>
    requestJson('/logoff/', { body: csrfToken ? { CSRF_token: csrfToken } : {} }),
  logoffAll: (accessToken: string) => requestJson('/logoff-all/', { accessToken }),
};
