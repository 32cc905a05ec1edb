import NextAuth from 'next-auth';
import Credentials from 'next-auth/providers/credentials';

const USER = { username: process.env.BENCH_USERNAME, password: process.env.BENCH_PASSWORD };

/**
 * Auth.js v5 with its default session: a stateless JWE in the session cookie (no database, so no
 * revocation). GET /api/auth/session decrypts it, runs the callbacks, and sets it again with a
 * new expiry.
 */
export const { handlers } = NextAuth({
  secret: process.env.AUTH_SECRET,
  trustHost: true,
  session: { strategy: 'jwt' },
  providers: [
    Credentials({
      credentials: { username: {}, password: {} },
      authorize: async (credentials) =>
        credentials.username === USER.username && credentials.password === USER.password
          ? { id: '1', name: USER.username, email: `${USER.username}@example.com` }
          : null,
    }),
  ],
});
