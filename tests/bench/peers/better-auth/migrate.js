// Creates Better Auth's tables (user, session, account, verification) in DATABASE_URL.
import { getMigrations } from 'better-auth/db/migration';
import { refreshAuth } from './lib/auth.js';

const { runMigrations } = await getMigrations(refreshAuth.options);
await runMigrations();
await refreshAuth.options.database.end();
