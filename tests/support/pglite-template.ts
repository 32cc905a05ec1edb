/**
 * One migrated embedded database, made once and copied wherever a suite needs a fresh one.
 *
 * A new PGlite runs initdb and then the migrations: about three seconds of CPU each time, and the
 * suites need a fresh database for every flow kit and every `next start` on PGlite. Copying a
 * migrated data directory costs milliseconds (on the RAM disk, where vitest.config.ts puts
 * scratch data). The template is made with the kit's own `openDatabase()` (the production path),
 * once per version of the migrations and of PGlite, and kept in the system's temporary directory
 * across runs; the suites that test the first start itself (initdb killed midway, a directory
 * another process holds, the CLI creating the database) open their own directories and never
 * use it.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS_FOLDER, openDatabase, type DatabaseHandle } from '@/db/client';

/** Where a template lives: the migrated data directory. */
interface Template {
  dir: string;
}

const PREFIX = 'kit-pglite-template-';

/** Names the template after what it is made of: the migrations and the PGlite version. */
function templateKey(): string {
  const hash = createHash('sha256');
  // The package's own metadata: its version, and so the on-disk format it writes.
  hash.update(readFileSync(join(process.cwd(), 'node_modules/@electric-sql/pglite/package.json')));
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
    );
  for (const file of files(MIGRATIONS_FOLDER).sort()) {
    hash.update(file.slice(MIGRATIONS_FOLDER.length));
    hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Removes templates of other migrations that no run has used for a day. */
function removeOldTemplates(keep: string) {
  const dayAgo = Date.now() - 86_400_000;
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX) || name === keep) continue;
    const path = join(tmpdir(), name);
    try {
      if (statSync(path).mtimeMs < dayAgo) rmSync(path, { recursive: true, force: true });
    } catch {
      /* another process removed it first */
    }
  }
}

async function makeTemplate(target: string): Promise<void> {
  const scratch = `${target}.making-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const dataDir = join(scratch, 'data');
    // The production path: initdb in a scratch directory moved into place, then the migrations.
    await (await openDatabase({ driver: 'pglite', dataDir })).close();
    rmSync(`${dataDir}.lock`, { force: true });
    try {
      renameSync(scratch, target); // atomic: a half-made template is never seen
    } catch (error) {
      // Another process finished first (the target exists and is not empty): use theirs.
      if (!existsSync(join(target, 'data', 'PG_VERSION'))) throw error;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

let template: Promise<Template> | undefined;

/** The migrated template for this version of the migrations, made on first use. */
export function pgliteTemplate(): Promise<Template> {
  template ??= (async () => {
    const name = `${PREFIX}${templateKey()}`;
    const dir = join(tmpdir(), name);
    if (!existsSync(join(dir, 'data', 'PG_VERSION'))) {
      removeOldTemplates(name);
      await makeTemplate(dir);
    }
    const now = new Date();
    utimesSync(dir, now, now); // in use: removeOldTemplates leaves it
    return { dir: join(dir, 'data') };
  })();
  return template;
}

/**
 * Puts a fresh copy of the migrated database at `dataDir` (which must not exist yet): what the
 * kit's first start would leave there, without the initdb and the migrations.
 */
export async function copyMigratedPglite(dataDir: string): Promise<void> {
  cpSync((await pgliteTemplate()).dir, dataDir, { recursive: true });
}

/**
 * A fresh migrated embedded database for one kit, opened as the server opens it
 * (`openDatabase()`: the kit's lock, PGlite in its worker thread, the migrations, which find
 * nothing to do): a copy of the template in `dir` (which must not exist yet, and is removed on
 * close).
 */
export async function openMigratedPglite(dir: string): Promise<DatabaseHandle> {
  const dataDir = join(dir, 'pglite');
  await copyMigratedPglite(dataDir);
  const handle = await openDatabase({ driver: 'pglite', dataDir });
  let closing: Promise<void> | undefined;
  return {
    ...handle,
    close: () =>
      (closing ??= handle.close().finally(() => rmSync(dir, { recursive: true, force: true }))),
  };
}

/** Vitest global setup: makes the template before the workers start, so they do not race to. */
export default async function setup(): Promise<void> {
  await pgliteTemplate();
}
