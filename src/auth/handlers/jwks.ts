import { getAuthCore } from '../context';
import { describeError } from '@/db/errors';
import { MethodNotAllowed, toErrorResponse } from '../errors';
import { log } from '@/log';

/**
 * GET /.well-known/jwks.json — the public keys that verify access tokens, serialised once at
 * start-up and cacheable, so other services verify tokens without sharing a secret.
 */
export async function jwksHandler(request: Request): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD')
    return toErrorResponse(new MethodNotAllowed(['GET', 'HEAD']));
  try {
    const { keyring } = await getAuthCore();
    return new Response(request.method === 'HEAD' ? null : keyring.jwksJson, {
      headers: {
        'Content-Type': 'application/json',
        'Cache-Control': 'public, max-age=300, stale-while-revalidate=60',
      },
    });
  } catch (error) {
    return toErrorResponse(error, {
      logUnexpected: (e) =>
        log({ logLevel: 'error' }, 'error', 'unexpected error', {
          path: new URL(request.url).pathname,
          error: describeError(e, { stack: true }),
        }),
    });
  }
}
