import fs, { existsSync, mkdirSync, readdirSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { NodeFS } from '@electric-sql/pglite/nodefs';

/** PGlite could not open its data directory; the message says what to do. */
export class PgliteOpenError extends Error {
  override name = 'PgliteOpenError';
}

/** The parts of Emscripten's module that make NODEFS streams durable. */
interface EmscriptenModule {
  NODEFS?: { stream_ops: { fsync?: (stream: { nfd: number; node: { mode: number } }) => number } };
  FS: { isDir(mode: number): boolean; ErrnoError: new (errno: number) => Error };
}

const EIO = 29; // Emscripten's errno numbers are musl's

/**
 * PGlite's Node file system is Emscripten's NODEFS, whose streams have no fsync: PostgreSQL's
 * fsync() calls return at once and nothing reaches the disk. This gives them one, so that a
 * commit PostgreSQL has flushed survives an OS crash or power loss, not only a killed process.
 * A directory that cannot be synced (Windows) is skipped, as PostgreSQL itself does; a file that
 * cannot is an I/O error, which PostgreSQL treats as fatal rather than carrying on.
 */
async function durableFilesystem(dataDir: string): Promise<NodeFS> {
  const { NodeFS } = await import('@electric-sql/pglite/nodefs');
  class DurableNodeFS extends NodeFS {
    override async init(...args: Parameters<NodeFS['init']>) {
      const result = await super.init(...args);
      const preRun = [result.emscriptenOpts.preRun ?? []].flat();
      result.emscriptenOpts.preRun = [
        ...preRun,
        (mod: EmscriptenModule) => {
          const streams = mod.NODEFS?.stream_ops;
          if (!streams) throw new Error('PGlite no longer exposes NODEFS: its fsync cannot be set');
          streams.fsync = (stream) => {
            try {
              fs.fsyncSync(stream.nfd);
            } catch {
              if (!mod.FS.isDir(stream.node.mode)) throw new mod.FS.ErrnoError(EIO);
            }
            return 0;
          };
        },
      ] as typeof result.emscriptenOpts.preRun;
      return result;
    }
  }
  return new DurableNodeFS(dataDir);
}

/**
 * Opens PGlite, collecting what PostgreSQL prints while it starts: PGlite itself only says
 * "failed to initialize properly", the reason (e.g. a FATAL line) is in that output. A data
 * directory on disk is opened durable: PGlite's start parameters without `-F` (fsync off), the
 * WAL flushed with fsync() (Emscripten's fdatasync() does nothing), on a NODEFS that syncs.
 */
async function create(dataDir: string | undefined): Promise<PGlite> {
  const { PGlite } = await import('@electric-sql/pglite');
  const output: string[] = [];
  let opening = true;
  const durable = dataDir
    ? {
        fs: await durableFilesystem(dataDir),
        startParams: [
          ...PGlite.defaultStartParams.filter((param) => param !== '-F'),
          ...['-c', 'wal_sync_method=fsync'],
        ],
      }
    : {};
  try {
    const client = await PGlite.create({
      ...durable,
      onStderr: (line) => {
        if (opening) output.push(line);
        return false;
      },
    });
    opening = false;
    return client;
  } catch (error) {
    opening = false;
    const reasons = output
      .filter((line) => /FATAL|PANIC|ERROR|HINT|DETAIL/.test(line))
      .map((line) => line.replace(/^.*?\[\d+\]\s+/, '')); // drop the timestamp and PID prefix
    throw Object.assign(error as Error, { postgresOutput: reasons.slice(-4).join(' ') });
  }
}

function openError(dataDir: string, error: unknown): PgliteOpenError {
  const { message, postgresOutput } = error as Error & { postgresOutput?: string };
  return new PgliteOpenError(
    `The embedded database at ${dataDir} could not be opened: ${message}` +
      (postgresOutput ? ` (PostgreSQL said: ${postgresOutput})` : '') +
      '. The kit already removed a stale postmaster.pid. ' +
      `Keep a copy first (cp -a ${dataDir} ${dataDir}.bak); if the directory comes from another PGlite or PostgreSQL version, ` +
      'open it with that version and dump it; if it holds nothing you need, delete it and start again ' +
      `(rm -rf ${dataDir}: every user and session in it is lost). See docs/operations.md, "The embedded database (PGlite)".`,
    { cause: error },
  );
}

/**
 * A kill while PGlite starts can leave `postmaster.pid` empty, and PostgreSQL then refuses the
 * directory on every later start ("lock file is empty"). The file cannot tell whether another
 * process uses the directory (PGlite always writes PID 42), so it is removed only while this
 * process holds the kit's own lock, which proves that no other kit process has it open.
 */
function removeStalePidFile(dataDir: string) {
  try {
    unlinkSync(join(dataDir, 'postmaster.pid'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * Creates a new database in a scratch directory beside `dataDir` and moves it into place once
 * complete, so that a kill during the first start (PGlite's initdb writes PG_VERSION before it
 * finishes) never leaves a half-made directory that PGlite would then try to resume. Scratch
 * directories of earlier interrupted starts are removed (the caller holds the lock).
 */
async function initialize(dataDir: string) {
  const prefix = `${basename(dataDir)}.initializing-`;
  for (const name of readdirSync(dirname(dataDir)))
    if (name.startsWith(prefix))
      rmSync(join(dirname(dataDir), name), { recursive: true, force: true });
  const scratch = join(dirname(dataDir), `${prefix}${process.pid}`);
  await (await create(scratch)).close();
  rmSync(dataDir, { recursive: true, force: true }); // empty: it has no PG_VERSION
  renameSync(scratch, dataDir);
}

/**
 * Opens PGlite on `dataDir` (a directory, or `memory://` for a throwaway database): clears what a
 * killed process (or a crashed worker) leaves behind, creates the database on first use, and
 * explains any failure with the fix. Runs in the database's worker thread (pglite-worker.ts); the
 * caller must hold the kit's lock on the directory (pglite-host.ts takes it in the main thread,
 * so that it is held across restarts of the worker).
 * @throws PgliteOpenError when PGlite cannot open it.
 */
export async function openPglite(dataDir: string): Promise<PGlite> {
  if (dataDir.startsWith('memory://')) return create(undefined);
  mkdirSync(dirname(dataDir), { recursive: true });
  removeStalePidFile(dataDir);
  try {
    if (!existsSync(join(dataDir, 'PG_VERSION')) && isEmptyOrMissing(dataDir))
      await initialize(dataDir);
    return await create(dataDir);
  } catch (error) {
    throw openError(dataDir, error);
  }
}

function isEmptyOrMissing(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}
