// A child process for pglite-open.test.ts: opens (and on first use creates) an embedded database,
// then writes to it until it is killed, reporting each committed insert to the parent.
import { openDatabase } from '../../../src/db/client';
import { emailColumns, usernameColumns } from '../../../src/auth/identity';
import { insertUser } from '../../../src/db/queries/users';

const dataDir = process.argv[2]!;
process.send!({ opening: true });
const handle = await openDatabase({ driver: 'pglite', dataDir });
process.send!({ opened: true });
for (let i = 0; ; i++) {
  const username = `written-${process.pid}-${i}`;
  await insertUser(handle.db, {
    username,
    ...usernameColumns(username),
    ...emailColumns('', false),
  });
  process.send!({ committed: username });
}
