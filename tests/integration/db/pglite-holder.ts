// A child process for pglite-worker.test.ts: opens an embedded database (PGlite in its worker
// thread), answers one statement, tells the parent, then either stays up as a server does until
// a signal ('signal': the kit's shutdown hook closes the database), or ends its script without
// closing the database ('forget').
import { sql } from 'drizzle-orm';
import { closeDatabaseOnShutdown, getDatabase } from '../../../src/db';

const [dataDir, mode] = process.argv.slice(2) as [string, 'signal' | 'forget'];
const { db } = await getDatabase({ driver: 'pglite', dataDir });
await db.execute(sql`select count(*) from users`);
if (mode === 'signal') {
  closeDatabaseOnShutdown();
  setInterval(() => {}, 60_000); // a server's listening socket
  process.send!({ ready: true });
} else {
  process.send!({ ready: true }, () => process.disconnect());
}
