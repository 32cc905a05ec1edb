import { withAuth } from '@/auth/server';

/**
 * A protected API route: the user behind the Bearer access token. `live` checks the token's
 * session in the database too, so a token whose session was logged off or revoked is refused
 * at once instead of when it expires.
 */
export const GET = withAuth(
  async (_request, { claims }) =>
    Response.json(
      { user_id: claims.user_id, username: claims.username, claims },
      { headers: { 'Cache-Control': 'no-store' } },
    ),
  { live: true },
);
