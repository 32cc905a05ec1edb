import { expect } from 'vitest';
import type { HttpClient } from './http-client';

/** The demo's server-rendered account page (requireUser) and its profile Server Action. */
export const ACCOUNT_PATH = '/account';

const decodeEntities = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The profile form's Server Action id, from the hidden inputs React renders for it (progressive enhancement). */
export function profileActionId(html: string): string {
  for (const match of html.matchAll(/<input[^>]*name="\$ACTION_[^"]*"[^>]*value="([^"]*)"/g)) {
    try {
      const value = JSON.parse(decodeEntities(match[1] ?? '')) as { id?: unknown };
      if (typeof value.id === 'string') return value.id;
    } catch {
      /* another hidden input */
    }
  }
  throw new Error('the account page renders no Server Action form');
}

/** GETs /account with the client's cookies: the page's HTML, or the redirect it answered. */
export async function getAccount(client: HttpClient): Promise<Response> {
  return client.request('GET', ACCOUNT_PATH);
}

/** Asserts /account renders for `username` (status 200, the name in the page); returns the HTML. */
export async function expectAccountFor(client: HttpClient, username: string): Promise<string> {
  const response = await getAccount(client);
  const html = await response.text();
  expect(response.status, html.slice(0, 500)).toBe(200);
  expect(html).toContain(`data-testid="account-username">${username}</strong>`);
  return html;
}

/** Asserts /account sends the visitor to the sign-in page, coming back to /account. */
export async function expectAccountSignedOut(client: HttpClient): Promise<void> {
  const response = await getAccount(client);
  await response.arrayBuffer();
  expect(response.status).toBe(307);
  const location = new URL(response.headers.get('location') ?? '', client.baseUrl);
  expect(location.pathname).toBe('/login');
  expect(location.searchParams.get('next')).toBe(ACCOUNT_PATH);
}

/**
 * Calls the profile Server Action the way the browser's form does after hydration (a POST with
 * `Next-Action`, the arguments encoded as React's reply: the previous state and the FormData).
 * @returns the action's result, read from the RSC answer.
 */
export async function callProfileAction(
  client: HttpClient,
  actionId: string,
  names: { first_name: string; last_name: string },
  headers: Record<string, string> = {},
): Promise<{ status: number; result: Record<string, unknown> | null; text: string }> {
  // React's encodeReply([previousState, formData]): the arguments as JSON in `0`, the FormData
  // argument as reference $K1, its fields prefixed `_1_`.
  const body = new FormData();
  body.set('_1_first_name', names.first_name);
  body.set('_1_last_name', names.last_name);
  body.set('0', JSON.stringify([null, '$K1']));
  const response = await client.request('POST', ACCOUNT_PATH, {
    body,
    headers: {
      Accept: 'text/x-component',
      'Next-Action': actionId,
      Origin: client.baseUrl,
      ...headers,
    },
  });
  const text = await response.text();
  return { status: response.status, result: actionResult(text), text };
}

/** The `{ ok, ... }` object an action answered, from the lines of an RSC payload. */
function actionResult(text: string): Record<string, unknown> | null {
  for (const line of text.split('\n')) {
    const json = line.slice(line.indexOf(':') + 1);
    try {
      const value = JSON.parse(json) as unknown;
      if (value && typeof value === 'object' && 'ok' in value)
        return value as Record<string, unknown>;
      const nested = (value as { a?: unknown } | null)?.a;
      if (nested && typeof nested === 'object' && 'ok' in nested)
        return nested as Record<string, unknown>;
    } catch {
      /* not a JSON row */
    }
  }
  return null;
}
