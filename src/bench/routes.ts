import { withAuth } from '@/auth/server';

/** The benchmark routes answer only when BENCH_ROUTES=1 (set by `npm run bench`); 404 otherwise. */
const enabled = process.env.BENCH_ROUTES === '1';
const notFound = () => new Response('Not found', { status: 404 });
const hello = (extra: Record<string, unknown> = {}) =>
  Response.json({ hello: 'world', ...extra }, { headers: { 'Cache-Control': 'no-store' } });

/** The ceiling: an unprotected route that does nothing. */
export const helloRoute = async (): Promise<Response> => (enabled ? hello() : notFound());

/** The same route, guarded in its handler with withAuth (Bearer access token). */
export const guardedRoute = enabled
  ? withAuth(async (_request, { claims }) => hello({ user: claims.sub }))
  : notFound;

/** Behind the proxy: it has verified the Bearer token and passed the identity in a header. */
export const proxiedRoute = async (request: Request): Promise<Response> =>
  enabled ? hello({ user: request.headers.get('x-auth-user-id') }) : notFound();
