/** `npm run auth` in child processes, on an embedded database of the suite's own. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '@/db/client';
import { copyMigratedPglite } from './pglite-template';

/** What one run of the command line ended with. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The command line on one data directory (development mode, embedded PGlite, no DATABASE_URL). */
export interface Cli {
  /** AUTH_DATA_DIR of every run: the database is in its `pglite/` folder. */
  dataDir: string;
  /**
   * Runs `npm run auth -- <args>`, writing `stdin` to it, or closing its stdin at once (no terminal,
   * no input), and waits for it to exit.
   */
  run(args: string[], stdin?: string): Promise<CliResult>;
  /** Opens the database while no run is going (PGlite serves one process at a time). */
  withDatabase<T>(read: (db: Database) => Promise<T>): Promise<T>;
  /** Removes the data directory (call in afterAll). */
  remove(): void;
}

/**
 * Runs `npm run auth -- <args>` with `env` (the whole environment of the run), writing `stdin` to
 * it or closing its stdin at once (no terminal, no input), and waits for it to exit.
 */
export async function runCli(
  args: string[],
  { env, stdin }: { env: NodeJS.ProcessEnv; stdin?: string },
): Promise<CliResult> {
  // `npm run auth` is `tsx src/cli/index.ts`; tsx's own command only starts node with its loader,
  // so the loader is given to node directly (one process per run instead of two). Liftoff only:
  // each run is a short process that boots PGlite once, and V8's optimising WebAssembly compiler
  // would cost more CPU than it saves in it.
  const child = execFile(
    process.execPath,
    ['--liftoff-only', '--import', 'tsx', 'src/cli/index.ts', ...args],
    { env },
  );
  child.stdin?.end(stdin);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  // 'close', not 'exit': by then stdout and stderr have been read to their end.
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  return { code, stdout, stderr };
}

/**
 * A fresh data directory for the command line. `fresh: true` leaves it empty, so the first run
 * creates the database (initdb and the migrations, as on a new install); otherwise it starts as
 * a copy of the migrated template, which saves every suite that is not about the first run the
 * seconds that costs.
 */
export async function startCli(prefix: string, { fresh = false } = {}): Promise<Cli> {
  const dataDir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const pgliteDir = join(dataDir, 'pglite');
  if (!fresh) await copyMigratedPglite(pgliteDir);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AUTH_DATA_DIR: dataDir,
    NODE_ENV: 'development',
    DATABASE_URL: '',
  };
  return {
    dataDir,
    run: (args, stdin) => runCli(args, { env, stdin }),
    async withDatabase(read) {
      const handle = await openDatabase({ driver: 'pglite', dataDir: pgliteDir });
      try {
        return await read(handle.db);
      } finally {
        await handle.close();
      }
    },
    remove: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}
