// A child process for pglite-lock.test.ts: takes the lock when told to, at an agreed instant.
import { acquirePgliteLock } from '../../../src/db/pglite-lock';

type Command = { type: 'race'; dataDir: string; at: number } | { type: 'release' };

let release: (() => void) | null = null;

process.on('message', (command: Command) => {
  if (command.type === 'release') {
    release?.();
    release = null;
    process.send!({ released: true });
    return;
  }
  while (Date.now() < command.at); // spin, so that every racer starts within the same millisecond
  try {
    release = acquirePgliteLock(command.dataDir);
    process.send!({ won: true });
  } catch (error) {
    process.send!({ won: false, name: (error as Error).name, message: (error as Error).message });
  }
});
process.send!({ ready: true });
