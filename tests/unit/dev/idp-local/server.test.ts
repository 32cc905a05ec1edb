import { request } from 'node:http';
import { getByLabelText, getByRole } from '@testing-library/dom';
import { Window } from 'happy-dom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIdp, type LocalIdp } from '@/dev/idp-local/server';
import { CALLBACK, DEMO, authorizeParams, postSignIn, postToken } from './flow';

let idp: LocalIdp;

beforeAll(async () => {
  idp = await startLocalIdp({ port: 0 });
});

afterAll(async () => {
  await idp.close();
});

function parseHtml(html: string): HTMLElement {
  const window = new Window();
  window.document.write(html);
  return window.document.body as unknown as HTMLElement;
}

function authorizeUrl(overrides: Record<string, string> = {}): string {
  return `${idp.url}/oauth2/authorize?${new URLSearchParams(authorizeParams(idp, overrides))}`;
}

describe('discovery and keys', () => {
  it('serves a discovery document with the Cognito issuer and local endpoints', async () => {
    const response = await fetch(`${idp.url}/.well-known/openid-configuration`, {
      headers: { Origin: 'http://localhost:3000' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    const doc = (await response.json()) as Record<string, unknown>;
    expect(doc.issuer).toBe('https://cognito-idp.us-east-1.amazonaws.com/us-east-1_LocalDemo');
    expect(idp.issuer).toBe(doc.issuer);
    expect(doc).toMatchObject({
      authorization_endpoint: `${idp.url}/oauth2/authorize`,
      token_endpoint: `${idp.url}/oauth2/token`,
      userinfo_endpoint: `${idp.url}/oauth2/userInfo`,
      end_session_endpoint: `${idp.url}/logout`,
      jwks_uri: idp.jwksUrl,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
  });

  it('serves only public RS256 signing keys', async () => {
    const { keys } = (await (await fetch(idp.jwksUrl)).json()) as {
      keys: Record<string, string>[];
    };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(keys[0]?.kid).toBeTruthy();
    expect(keys[0]).not.toHaveProperty('d');
  });

  it('answers CORS preflights on the endpoints browsers fetch', async () => {
    for (const path of ['/oauth2/token', '/oauth2/userInfo', '/.well-known/jwks.json']) {
      const response = await fetch(`${idp.url}${path}`, {
        method: 'OPTIONS',
        headers: {
          Origin: 'http://localhost:3000',
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization',
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
      expect(response.headers.get('access-control-allow-headers')).toBe('authorization');
    }
  });
});

describe('authorize form', () => {
  it('renders labelled inputs, a Sign in button and escaped hidden OAuth fields', async () => {
    const response = await fetch(authorizeUrl({ state: '"><script>alert(1)</script>' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const html = await response.text();
    expect(html).not.toContain('<script>');
    const body = parseHtml(html);
    expect(getByLabelText(body, 'Username')).toHaveProperty('name', 'username');
    expect(getByLabelText(body, 'Password')).toHaveProperty('type', 'password');
    expect(getByRole(body, 'button', { name: 'Sign in' })).toBeTruthy();
    const state = body.querySelector<HTMLInputElement>('input[type=hidden][name=state]');
    expect(state?.value).toBe('"><script>alert(1)</script>');
    expect(body.querySelector<HTMLInputElement>('input[name=redirect_uri]')?.value).toBe(CALLBACK);
  });

  it('refuses an unknown redirect_uri with a 400 page and never redirects', async () => {
    const evil = 'https://evil.example/callback';
    const get = await fetch(authorizeUrl({ redirect_uri: evil }), { redirect: 'manual' });
    expect(get.status).toBe(400);
    expect(get.headers.get('location')).toBeNull();
    expect(await get.text()).toContain('redirect_uri');
    const post = await postSignIn(idp, {
      ...authorizeParams(idp, { redirect_uri: evil }),
      ...DEMO,
    });
    expect(post.status).toBe(400);
    expect(post.headers.get('location')).toBeNull();
  });

  it('says which setting fixes a redirect_uri on another port, with a link back to the app', async () => {
    const otherPort = 'http://localhost:3001/callback';
    const response = await fetch(authorizeUrl({ redirect_uri: otherPort }), { redirect: 'manual' });
    expect(response.status).toBe(400);
    const body = parseHtml(await response.text());
    expect(body.textContent).toContain(`"${otherPort}"`);
    expect(body.textContent).toContain(CALLBACK); // the registered ones are listed
    expect(body.textContent).toMatch(/PORT=<port> npm run dev/);
    expect(body.textContent).toMatch(/LOCAL_IDP_REDIRECT_URIS/);
    expect(getByRole(body, 'link', { name: 'Back to the app' }).getAttribute('href')).toBe(
      'http://localhost:3001/',
    );
  });

  it('offers no link back for a redirect_uri that is not an http(s) URL', async () => {
    const response = await fetch(authorizeUrl({ redirect_uri: 'javascript:alert(1)' }));
    expect(response.status).toBe(400);
    expect(await response.text()).not.toContain('Back to the app');
  });

  it.each([
    ['an unknown client_id', { client_id: 'someone-else' }],
    ['a missing code_challenge', { code_challenge: '' }],
    ['the plain PKCE method', { code_challenge_method: 'plain' }],
    ['the implicit flow', { response_type: 'token' }],
  ])('refuses %s with 400', async (_label, overrides) => {
    const response = await fetch(authorizeUrl(overrides), { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('answers prompt=none with login_required instead of a form', async () => {
    const response = await fetch(authorizeUrl({ prompt: 'none' }), { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('login_required');
    expect(location.searchParams.get('state')).toBe('state-123');
  });

  it('re-renders the form with an error on wrong credentials', async () => {
    const params = authorizeParams(idp);
    const response = await postSignIn(idp, { ...params, username: 'demo', password: 'nope-nope' });
    expect(response.status).toBe(401);
    expect(response.headers.get('location')).toBeNull();
    const html = await response.text();
    expect(html).not.toContain('nope-nope');
    const body = parseHtml(html);
    expect(getByRole(body, 'alert').textContent).toBe('Incorrect username or password.');
    expect(getByLabelText(body, 'Username')).toHaveProperty('value', 'demo');
    expect(body.querySelector<HTMLInputElement>('input[name=code_challenge]')?.value).toBe(
      params.code_challenge,
    );
  });

  it('redirects to the callback with code and state on the right credentials', async () => {
    const response = await postSignIn(idp, { ...authorizeParams(idp), ...DEMO });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get('code')).toMatch(/^[\w-]{43}$/);
    expect(location.searchParams.get('state')).toBe('state-123');
  });
});

describe('robustness', () => {
  it('answers unknown paths with a plain 404', async () => {
    const response = await fetch(`${idp.url}/admin`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not_found', error_description: 'Not found' });
  });

  it('rejects wrong methods and content types without stack traces', async () => {
    const get = await fetch(`${idp.url}/oauth2/token`);
    expect(get.status).toBe(405);
    const json = await fetch(`${idp.url}/oauth2/token`, { method: 'POST', body: '{}' });
    expect(json.status).toBe(415);
    expect(await json.text()).not.toMatch(/at .*\.ts/);
  });

  it('refuses bodies over 16 KiB, declared or streamed', async () => {
    const response = await postToken(idp, { grant_type: 'x', padding: 'a'.repeat(20_000) });
    expect(response.status).toBe(413);
    const streamed = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(`${idp.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      req.on('response', (res) => resolve(res.statusCode)).on('error', reject);
      // No Content-Length: the body arrives chunked and must be cut off while streaming.
      for (let i = 0; i < 10; i += 1) req.write('a'.repeat(4096));
      req.end();
    });
    expect(streamed).toBe(413);
  });
});
