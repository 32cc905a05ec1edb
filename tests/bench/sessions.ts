import type { Request as CannonRequest } from 'autocannon';

/** One signed-in browser: its cookie jar (as a Cookie header) and CSRF token. */
export interface BenchSession {
  cookies: Map<string, string>;
  csrf: string;
}

function absorb(session: BenchSession, setCookie: string | string[] | undefined): void {
  for (const header of ([] as string[]).concat(setCookie ?? [])) {
    const pair = header.split(';')[0] ?? '';
    const at = pair.indexOf('=');
    if (at > 0) session.cookies.set(pair.slice(0, at), pair.slice(at + 1));
  }
}

/** Signs `count` sessions in (one per load connection) and returns their jars. */
export async function signInSessions(
  baseUrl: string,
  credentials: { username: string; password: string },
  count: number,
): Promise<BenchSession[]> {
  const sessions: BenchSession[] = [];
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${baseUrl}/auth/sign-in/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(credentials),
    });
    if (!response.ok)
      throw new Error(`bench sign-in failed: ${response.status} ${await response.text()}`);
    const session: BenchSession = {
      cookies: new Map(),
      csrf: ((await response.json()) as { CSRF_token: string }).CSRF_token,
    };
    absorb(session, response.headers.getSetCookie());
    sessions.push(session);
  }
  return sessions;
}

/**
 * An autocannon request that refreshes like a browser: every in-flight request borrows a session
 * from the pool, presents its newest refresh cookie, keeps the rotated one from the answer and
 * returns the session. With as many sessions as connections, no two requests ever share one.
 */
export function refreshRequests(sessions: BenchSession[]): CannonRequest[] {
  const idle = [...sessions];
  return [
    {
      method: 'POST',
      path: '/auth/refresh/',
      setupRequest: (request, context) => {
        const session = idle.pop();
        if (!session) throw new Error('more requests in flight than sessions');
        (context as { session?: BenchSession }).session = session;
        const cookie = [...session.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
        return {
          ...request,
          headers: {
            ...request.headers,
            cookie,
            'x-csrf-token': session.csrf,
            'content-type': 'application/json',
          },
          body: '{}',
        };
      },
      onResponse: (status, _body, context, headers) => {
        const session = (context as { session: BenchSession }).session;
        if (status === 200)
          absorb(
            session,
            (headers as Record<string, string | string[]> | undefined)?.['set-cookie'],
          );
        idle.push(session);
      },
    },
  ];
}
