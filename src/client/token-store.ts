import type { TokenAnswer } from './types';

const CSRF_KEY = 'auth-kit.csrf';

/**
 * Where the client keeps what it holds. The access token lives in this module's memory only
 * (never localStorage, sessionStorage or a readable cookie). The CSRF token goes to localStorage
 * so a reload or a new tab can refresh: it guards the HttpOnly cookie, it is no credential.
 */
let accessToken: string | null = null;
let expiresAt = 0;

/** The current access token, or null (for code outside React: API clients, loaders). */
export function getAccessToken(): string | null {
  return accessToken && expiresAt * 1000 > Date.now() ? accessToken : null;
}

/** Keeps a sign-in or refresh answer: the access token in memory, the CSRF token in localStorage. */
export function storeTokens(answer: TokenAnswer): void {
  accessToken = answer.access_token;
  expiresAt = answer.expires;
  try {
    localStorage.setItem(CSRF_KEY, answer.CSRF_token);
  } catch {
    /* storage disabled: the session lasts as long as the page */
  }
}

/** The stored CSRF token, or null. */
export function getCsrfToken(): string | null {
  try {
    return localStorage.getItem(CSRF_KEY);
  } catch {
    return null;
  }
}

/** Forgets everything (sign-out, or a refresh the server refused). */
export function clearTokens(): void {
  accessToken = null;
  expiresAt = 0;
  try {
    localStorage.removeItem(CSRF_KEY);
  } catch {
    /* nothing stored */
  }
}

/** Decodes a JWT's claims without verifying them (the server verified it; this is for display). */
export function decodeClaims(token: string): Record<string, unknown> {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(
      decodeURIComponent(
        Array.from(json, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''),
      ),
    ) as Record<string, unknown>;
  } catch {
    return {};
  }
}
