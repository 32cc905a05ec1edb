import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nextBuildReady } from './next-build';

/** A running `next start` of the kit. */
export interface NextServer {
  url: string;
  port: number;
  /** The `next start` process (the server runs in it or in its children). */
  pid: number;
  /** Everything the server printed (the structured auth log lines included). */
  output(): string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `next start` (once the build exists: see next-build.ts) with the given environment, on
 * embedded PGlite in a fresh temporary directory unless DATABASE_URL is given, and waits until
 * it answers.
 */
export async function startNextServer(
  env: Record<string, string | undefined> = {},
  {
    port: fixedPort,
    dataDir: givenDataDir,
    nodeArgs = [],
    appDir = process.cwd(),
  }: {
    port?: number;
    dataDir?: string;
    nodeArgs?: string[];
    /** Where the app and its build are (the benchmark's copy lives in .bench-app/). */
    appDir?: string;
  } = {},
): Promise<NextServer> {
  await nextBuildReady();
  const port = fixedPort ?? (await freePort());
  const dataDir = givenDataDir ?? mkdtempSync(join(tmpdir(), 'kit-data-'));
  let output = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...nodeArgs,
      join(process.cwd(), 'node_modules/next/dist/bin/next'),
      'start',
      '-p',
      String(port),
      '-H',
      '127.0.0.1',
    ],
    {
      cwd: appDir,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        AUTH_DATA_DIR: dataDir,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // Keep the last 1 MiB of output: enough for any test, bounded under load.
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-1_048_576));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`next start exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${url}/.well-known/jwks.json`);
      if (response.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`next start did not answer within 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    url,
    port,
    pid: child.pid ?? 0,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      if (!givenDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
