import { createHash, randomBytes } from 'node:crypto';
import { existsSync, linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';

/** The embedded database is open in another live process. */
export class DatabaseLockedError extends Error {
  override name = 'DatabaseLockedError';
}

/** What a lock file records: enough to tell a live holder from a dead one, and to name it. */
interface LockHolder {
  pid: number;
  /** Start time in clock ticks since boot (/proc/PID/stat field 22); null where /proc is missing. */
  started: string | null;
  command: string;
  since: string;
  /** Makes every lock file's content unique, so content identifies one holding of the lock. */
  nonce: string;
}

const HAS_PROC = existsSync('/proc/self/stat');

/** The state letter and start time of a process from /proc, or null when it has no entry. */
function readProcStat(pid: number): { state: string; started: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 is the command name in parentheses and may itself hold spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', started: fields[19] ?? '' };
  } catch {
    return null;
  }
}

function describeMe(): LockHolder {
  return {
    pid: process.pid,
    started: readProcStat(process.pid)?.started ?? null,
    command: process.argv.slice(1, 3).join(' '),
    since: new Date().toISOString(),
    nonce: randomBytes(8).toString('hex'),
  };
}

function parseHolder(raw: string): LockHolder | null {
  try {
    const value = JSON.parse(raw) as Partial<LockHolder>;
    if (!Number.isInteger(value.pid) || (value.pid as number) <= 0) return null;
    return { started: null, command: '?', since: '?', nonce: '', ...value } as LockHolder;
  } catch {
    return null; // empty or garbage (a lock written by an older kit and cut short): nobody holds it
  }
}

/**
 * Tells whether the process that wrote a lock still runs. A zombie has finished, and a PID that
 * now belongs to a process started at another time was recycled (common in containers, where
 * the server is often PID 1 after every restart): both are dead holders.
 */
function isLive(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readProcStat(holder.pid);
  if (!stat) return !HAS_PROC; // without /proc (macOS) the signal check is all there is
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return holder.started === null || stat.started === holder.started;
}

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function unlinkQuietly(file: string) {
  try {
    unlinkSync(file);
  } catch {
    /* already gone */
  }
}

/** Creates `target` as a hard link to the complete file `source`: fails when `target` exists. */
function linkExclusive(source: string, target: string): boolean {
  try {
    linkSync(source, target);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Atomically replaces `target` by the content of `source` (a second link, renamed over it). */
function replaceWith(source: string, target: string) {
  const copy = `${source}+`;
  unlinkQuietly(copy);
  linkSync(source, copy);
  renameSync(copy, target);
}

function pause(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Replaces the file `path`, found holding the dead holder `stale`, with this process's `mine`.
 * Racers that all found the same stale content must not all win: each first takes a claim named
 * after that content (a hard link, so exactly one creates it), and only the claimant re-reads
 * `path` and replaces it if it still holds `stale`. A claim left by a claimant that died is
 * itself taken over the same way, one level down.
 * @returns false when another process got there first (the caller looks again).
 */
function replaceStale(path: string, stale: string, mine: string, mineFile: string): boolean {
  const claim = `${path}.takeover-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`;
  if (!linkExclusive(mineFile, claim)) {
    const claimant = readOrNull(claim);
    if (claimant === null || claimant === mine) return false;
    const holder = parseHolder(claimant);
    if (holder && isLive(holder)) return false;
    if (!replaceStale(claim, claimant, mine, mineFile)) return false;
  }
  try {
    if (readOrNull(path) !== stale) return false;
    replaceWith(mineFile, path);
    return true;
  } finally {
    unlinkQuietly(claim);
  }
}

function lockedError(file: string, dataDir: string, holder: LockHolder) {
  return new DatabaseLockedError(
    `The embedded database at ${dataDir} is in use by process ${holder.pid} (${holder.command}, since ${holder.since}); its lock file is ${file}. ` +
      'PGlite serves one process at a time: stop that process first, or set DATABASE_URL to use PostgreSQL.',
  );
}

/**
 * Takes the lock file beside a PGlite data directory. PGlite serves one process at a time: a
 * second process opening the same files would corrupt them, so it gets an error naming the holder
 * and the lock file. A lock left by a dead process is taken over, by exactly one of any number of
 * processes starting at once.
 * @throws DatabaseLockedError when another live process holds the lock.
 */
export function acquirePgliteLock(dataDir: string): () => void {
  const file = `${dataDir}.lock`;
  const mine = JSON.stringify(describeMe());
  // The lock is always a link to this complete file, so no reader ever sees it half-written.
  const mineFile = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(mineFile, mine, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 100; attempt++) {
      if (linkExclusive(mineFile, file)) return holdLock(file, mine);
      const current = readOrNull(file);
      if (current === null) continue; // released meanwhile
      const holder = parseHolder(current);
      if (holder && isLive(holder)) throw lockedError(file, dataDir, holder);
      if (replaceStale(file, current, mine, mineFile)) return holdLock(file, mine);
      pause(2 + Math.random() * 8); // a live racer is mid-takeover: look again once it is done
    }
  } finally {
    unlinkQuietly(mineFile);
  }
  throw new DatabaseLockedError(
    `Could not take the lock ${file}; if no process uses ${dataDir}, delete ${file} and start again.`,
  );
}

function holdLock(file: string, mine: string): () => void {
  const release = () => {
    process.off('exit', release);
    if (readOrNull(file) === mine) unlinkQuietly(file);
  };
  process.once('exit', release);
  return release;
}
