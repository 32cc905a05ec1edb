import { parseCookie } from 'cookie';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { KitServer } from '../../../support/kit-servers';
import { headerText } from '../support/arbitraries';
import { checkReply, ENDPOINTS, violation, type Endpoint } from '../support/contract';
import {
  applyCookieRecipe,
  buildCookieHeader,
  cookieLayout,
  cookieRecipe,
  judgeCookies,
} from '../support/cookie-mutations';
import { jsonBytes, type FuzzRequest } from '../support/http';
import { applyTokenRecipe, sameTokenBytes, tokenRecipe, type Base } from '../support/jwt-mutations';
import {
  fuzzIt,
  fuzzOptions,
  genuineCookieHeader,
  SessionKeeper,
  sendTo,
  signIn,
  type PropertyGroup,
} from '../support/kit';

/** Node refuses to send NUL, CR, LF and characters above U+00FF in a header: those become `?`. */
const headerSafe = (text: string) => text.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');

const bearerBases = fc.constantFrom<Base>('access', 'access', 'access', 'refresh', 'session');

/** An Authorization header around a mutated token, or noise. */
const authorization = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      scheme: fc.constantFrom(
        'Bearer ',
        'Bearer ',
        'bearer ',
        'BEARER ',
        'Bearer  ',
        'Bearer\t',
        'Bearer',
        'Token ',
        'Basic ',
        'JWT ',
        'Bearer: ',
        '',
      ),
      recipe: tokenRecipe(bearerBases),
      suffix: fc.constantFrom('', '', '', ' ', '\t', ' x', ',', ', Bearer x'),
      duplicateGenuine: fc.oneof(
        { weight: 6, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ raw: headerText(300) }) },
);
type AuthorizationCase = typeof authorization extends fc.Arbitrary<infer T> ? T : never;

/** The mutated-token and mutated-cookie properties (one server; never logs off the sessions it mutates). */
export const tokenProperties: PropertyGroup = (getKit, backend) => {
  /** The session whose tokens the token properties mutate: never refreshed, never logged off. */
  let keeper: SessionKeeper | null = null;
  const fixed = { get: (kit: KitServer) => (keeper ??= new SessionKeeper(kit)).get() };
  const fuzz = (name: string, perCaseMs: number, body: (kit: KitServer) => Promise<void>) =>
    fuzzIt(getKit, backend, name, perCaseMs, body);

  fuzz('controls: the genuine tokens and cookies work', 0, async (kit) => {
    const own = await signIn(kit);
    const verify = await sendTo(kit, {
      method: 'POST',
      path: ENDPOINTS.verify.path,
      headers: { 'content-type': 'application/json' },
      body: jsonBytes({ token: own.access }),
    });
    expect(verify.status).toBe(200);
    const sessions = await sendTo(kit, {
      method: 'GET',
      path: ENDPOINTS.sessions.path,
      headers: { authorization: `Bearer ${own.access}` },
    });
    expect(sessions.status).toBe(200);
    const refresh = await sendTo(kit, {
      method: 'POST',
      path: ENDPOINTS.refresh.path,
      headers: { 'content-type': 'application/json', cookie: genuineCookieHeader(own) },
      body: jsonBytes({ CSRF_token: own.csrfToken }),
    });
    expect(refresh.status).toBe(200);
  });

  fuzz('verify: a mutated access, refresh or session token is never valid', 30, async (kit) => {
    await fc.assert(
      fc.asyncProperty(tokenRecipe(), async (recipe) => {
        const { genuine, keys } = await fixed.get(kit);
        const token = applyTokenRecipe(recipe, genuine, keys);
        const request: FuzzRequest = {
          method: 'POST',
          path: ENDPOINTS.verify.path,
          headers: { 'content-type': 'application/json' },
          body: jsonBytes({ token }),
        };
        const reply = await sendTo(kit, request);
        checkReply(ENDPOINTS.verify, request, reply);
        const same =
          sameTokenBytes(token, genuine.access) || sameTokenBytes(token, genuine.refresh);
        if (reply.status === 200 && !same)
          violation('verify accepted a mutated token', request, reply);
        const wellFormedRequest = token.length >= 1 && token.length <= 8192;
        if (wellFormedRequest && ![200, 401].includes(reply.status))
          violation('verify answered neither 200 nor 401 for a string token', request, reply);
      }),
      fuzzOptions(),
    );
  });

  const bearerProperty = (endpoint: Endpoint) =>
    fuzz(
      `${endpoint.name}: a mutated or malformed Bearer token is refused with 401`,
      30,
      async (kit) => {
        await fc.assert(
          fc.asyncProperty(authorization, fc.uuid(), async (auth: AuthorizationCase, sid) => {
            const { genuine: tokens, keys } = await fixed.get(kit);
            const genuine = tokens.access;
            let header: string;
            let mayAccept = false;
            if ('raw' in auth) header = auth.raw;
            else {
              const token = headerSafe(applyTokenRecipe(auth.recipe, tokens, keys));
              header = `${auth.scheme}${token}${auth.suffix}`;
              mayAccept =
                auth.scheme.trim().toLowerCase() === 'bearer' &&
                auth.suffix.trim() === '' &&
                sameTokenBytes(token, genuine);
            }
            // logoff-all with a token the kit may accept would revoke the sessions the other properties use.
            if (endpoint === ENDPOINTS.logoffAll) fc.pre(!mayAccept);
            const headers: Record<string, string | string[]> = {
              authorization:
                'duplicateGenuine' in auth && auth.duplicateGenuine
                  ? [header, `Bearer ${genuine}`]
                  : header,
            };
            const request: FuzzRequest = { method: endpoint.method, path: endpoint.path, headers };
            if (endpoint === ENDPOINTS.revoke) {
              headers['content-type'] = 'application/json';
              request.body = jsonBytes({ sid });
            }
            const reply = await sendTo(kit, request);
            checkReply(endpoint, request, reply);
            if (!mayAccept && reply.status !== 401)
              violation(
                'a mutated or malformed Bearer token was not refused with 401',
                request,
                reply,
              );
          }),
          fuzzOptions(),
        );
      },
    );
  bearerProperty(ENDPOINTS.sessions);
  bearerProperty(ENDPOINTS.revoke);
  bearerProperty(ENDPOINTS.logoffAll);

  fuzz('sessions: only the genuine session cookie marks a session as current', 30, async (kit) => {
    await fc.assert(
      fc.asyncProperty(tokenRecipe(fc.constant<Base>('session')), async (recipe) => {
        const { genuine, keys } = await fixed.get(kit);
        const cookie = headerSafe(applyTokenRecipe(recipe, genuine, keys)).replace(/;/g, '');
        const request: FuzzRequest = {
          method: 'GET',
          path: ENDPOINTS.sessions.path,
          headers: { authorization: `Bearer ${genuine.access}`, cookie: `session=${cookie}` },
        };
        const reply = await sendTo(kit, request);
        checkReply(ENDPOINTS.sessions, request, reply);
        if (reply.status !== 200)
          violation('the sessions list failed for a genuine Bearer token', request, reply);
        const { sessions } = JSON.parse(reply.text) as { sessions: { current: boolean }[] };
        // Judge the value a cookie parser reads (RFC 6265 values are percent-decoded by the
        // `cookie` package and by Next's request.cookies alike): `a%2Eb%2Ec` is the token `a.b.c`.
        const read = parseCookie(`session=${cookie}`).session ?? '';
        if (sessions.some((s) => s.current) && !sameTokenBytes(read, genuine.session))
          violation('a mutated session cookie was taken as the current session', request, reply);
      }),
      fuzzOptions(),
    );
  });

  fuzz(
    'refresh: a mutated refresh or CSRF cookie never yields 200 (only the genuine pair may)',
    100,
    async (kit) => {
      const keeper = new SessionKeeper(kit);
      const csrfInHeader = fc.boolean();
      await fc.assert(
        fc.asyncProperty(
          fc.option(cookieRecipe, { nil: null, freq: 10 }),
          fc.option(cookieRecipe, { nil: null, freq: 1 }),
          cookieLayout,
          csrfInHeader,
          async (refreshRecipe, csrfRecipe, layout, inHeader) => {
            const ctx = await keeper.get();
            const { genuine } = ctx;
            const refreshValue = refreshRecipe
              ? applyCookieRecipe(refreshRecipe, 'refresh_cookie', genuine.refreshCookie, ctx)
              : genuine.refreshCookie;
            const csrfValue = csrfRecipe
              ? applyCookieRecipe(csrfRecipe, 'CSRF_token', genuine.csrfCookie, ctx)
              : genuine.csrfCookie;
            const cookie = buildCookieHeader(refreshValue, csrfValue, layout, genuine);
            const verdict = judgeCookies(cookie, ctx);
            const headers: Record<string, string> = { cookie, 'content-type': 'application/json' };
            if (inHeader) headers['x-csrf-token'] = genuine.csrfToken;
            const request: FuzzRequest = {
              method: 'POST',
              path: ENDPOINTS.refresh.path,
              headers,
              body: jsonBytes(inHeader ? {} : { CSRF_token: genuine.csrfToken }),
            };
            const reply = await sendTo(kit, request);
            try {
              checkReply(ENDPOINTS.refresh, request, reply);
              const mayAccept = verdict.refreshGenuine && verdict.csrfGenuine;
              if (reply.status === 200 && !mayAccept)
                violation(
                  `refresh accepted a mutated ${verdict.refreshGenuine ? 'CSRF' : 'refresh'} cookie (read as ${JSON.stringify(verdict.refreshRead)})`,
                  request,
                  reply,
                );
              // The server must take the genuine pair as it issued it; a respelling of the same
              // bytes (padding, other base64url) may be refused (jose is strict) or taken.
              const mustAccept = verdict.refreshExact && verdict.csrfGenuine;
              if (mustAccept && layout.duplicate === 'none' && reply.status !== 200)
                violation('refresh refused the genuine cookies', request, reply);
            } finally {
              // A 200 rotated the session: later cases (and shrinking) start from a fresh one.
              if (reply.status === 200) await keeper.renew();
            }
          },
        ),
        fuzzOptions(),
      );
    },
  );

  fuzz(
    'logoff: a refresh cookie with a bad MAC is treated as absent (200), a well-signed one needs CSRF (403), two are refused (401)',
    30,
    async (kit) => {
      const keeper = new SessionKeeper(kit);
      const wrongCsrf = fc.option(fc.oneof(fc.constant('wrong'), fc.string({ maxLength: 60 })), {
        nil: undefined,
      });
      await fc.assert(
        fc.asyncProperty(cookieRecipe, cookieLayout, wrongCsrf, async (recipe, layout, csrf) => {
          const ctx = await keeper.get();
          const { genuine } = ctx;
          fc.pre(csrf !== genuine.csrfToken);
          const cookie = buildCookieHeader(
            applyCookieRecipe(recipe, 'refresh_cookie', genuine.refreshCookie, ctx),
            genuine.csrfCookie,
            layout,
            genuine,
          );
          const verdict = judgeCookies(cookie, ctx);
          const request: FuzzRequest = {
            method: 'POST',
            path: ENDPOINTS.logoff.path,
            headers: { cookie, 'content-type': 'application/json' },
            body: jsonBytes(csrf === undefined ? {} : { CSRF_token: csrf }),
          };
          const reply = await sendTo(kit, request);
          checkReply(ENDPOINTS.logoff, request, reply);
          const expected = verdict.duplicated ? 401 : verdict.refreshSigned ? 403 : 200;
          if (reply.status !== expected) {
            violation(
              `logoff answered ${reply.status}, expected ${expected}: the refresh cookie (read as ${JSON.stringify(verdict.refreshRead)}) ${verdict.refreshSigned ? 'has' : 'does not have'} the canonical MAC${verdict.duplicated ? ', and a name occurs twice' : ''}`,
              request,
              reply,
            );
          }
        }),
        fuzzOptions(),
      );
    },
  );
};
