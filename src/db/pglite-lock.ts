import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

/** The embedded database is open in another live process. */
export class DatabaseLockedError extends Error {
  override name = 'DatabaseLockedError';
}

interface LockHolder {
  pid: number;
  command: string;
  since: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock file beside a PGlite data directory. PGlite serves one process at a time: a
 * second process opening the same files would corrupt them, so it gets an error naming the holder.
 * A lock left by a dead process is taken over.
 * @throws DatabaseLockedError when another live process holds the lock.
 */
export function acquirePgliteLock(dataDir: string): () => void {
  const file = `${dataDir}.lock`;
  const me: LockHolder = {
    pid: process.pid,
    command: process.argv.slice(1, 3).join(' '),
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      const release = () => {
        try {
          if ((JSON.parse(readFileSync(file, 'utf8')) as LockHolder).pid === process.pid)
            unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
      process.once('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder: LockHolder | null = null;
    try {
      holder = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    } catch {
      holder = null; // half-written or unreadable: treat as stale
    }
    if (holder && holder.pid !== process.pid && isAlive(holder.pid)) {
      throw new DatabaseLockedError(
        `The embedded database at ${dataDir} is in use by process ${holder.pid} (${holder.command}, since ${holder.since}). ` +
          'PGlite serves one process at a time: stop that process first, or set DATABASE_URL to use PostgreSQL.',
      );
    }
    try {
      unlinkSync(file);
    } catch {
      /* someone else removed it */
    }
  }
  throw new DatabaseLockedError(
    `Could not take the lock ${file}; remove it if no process uses ${dataDir}`,
  );
}
