import { defineHandler } from './define-handler';

/**
 * GET /.well-known/jwks.json — the public keys that verify access tokens, serialised once at
 * start-up and cacheable, so other services verify tokens without sharing a secret. It reads no
 * database: a lost database never stops other services from verifying tokens.
 */
export const jwksHandler = defineHandler({
  method: 'GET',
  database: false,
  async handle({ request, ctx }) {
    return new Response(request.method === 'HEAD' ? null : ctx.keyring.jwksJson, {
      headers: {
        'Content-Type': 'application/json',
        'Cache-Control': 'public, max-age=300, stale-while-revalidate=60',
      },
    });
  },
});
