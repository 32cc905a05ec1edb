import { betterAuth } from 'better-auth';
import { Pool } from 'pg';

// One pool of 10 connections, as the kit's node-postgres driver has (src/db/client.ts).
const database = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

const common = {
  database,
  secret: process.env.BETTER_AUTH_SECRET,
  baseURL: process.env.BETTER_AUTH_URL,
  emailAndPassword: { enabled: true },
  // The kit is measured with AUTH_THROTTLE=off: no rate limit here either.
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  logger: { level: 'error' },
};

/**
 * The session refresh path: updateAge 0 makes every get-session a refresh (the session row's
 * expiry is pushed out with an UPDATE and the session cookie is set again), the closest Better
 * Auth has to the kit's refresh.
 */
export const refreshAuth = betterAuth({
  ...common,
  basePath: '/api/auth',
  session: { expiresIn: 60 * 60 * 24 * 7, updateAge: 0 },
});

/**
 * get-session answered from the signed cookie cache (session_data), with no database read while
 * the cache is fresh: an hour here, so it never lapses during a run (the default is 5 minutes).
 */
export const cachedAuth = betterAuth({
  ...common,
  basePath: '/api/auth-cached',
  session: { cookieCache: { enabled: true, maxAge: 60 * 60 } },
});
