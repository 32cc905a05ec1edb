import { withAuth } from '@/auth/server';

/** A protected API route: the user behind the Bearer access token (the handler checks it itself). */
export const GET = withAuth(async (_request, { claims }) =>
  Response.json(
    { user_id: claims.user_id, username: claims.username ?? null, claims },
    { headers: { 'Cache-Control': 'no-store' } },
  ),
);
