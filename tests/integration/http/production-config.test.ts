import { describe, expect, it } from 'vitest';
import { testSecrets } from '../../support/keys';
import { startNextServer } from '../../support/next-server';

/**
 * Starts `next start` (NODE_ENV=production) with the given environment and returns what it
 * printed when it stopped; fails if it started. The configuration is checked in the
 * instrumentation hook, before the first request, so a refused setting never serves one.
 */
async function refusedStart(env: Record<string, string>): Promise<string> {
  const server = await startNextServer(env).catch((error: Error) => error);
  if (!(server instanceof Error)) {
    await server.stop();
    throw new Error('the server started');
  }
  return server.message;
}

describe('a production start with a weak configuration', () => {
  it('stops on AUTH_SECRET=aaaa…, naming the variable and how to generate one', async () => {
    const output = await refusedStart({ ...(await testSecrets()), AUTH_SECRET: 'a'.repeat(48) });
    expect(output).toMatch(/exited with 1/);
    expect(output).toContain('AUTH_SECRET is too weak');
    expect(output).toContain('npm run auth -- generate-keys');
  });

  it('stops on AUTH_SECRET=changeme-changeme-…', async () => {
    const output = await refusedStart({
      ...(await testSecrets()),
      AUTH_SECRET: 'changeme-changeme-changeme-changeme-changeme',
    });
    expect(output).toContain('AUTH_SECRET is too weak');
  });

  it('stops on AUTH_COOKIE_SECURE=false, naming it', async () => {
    const output = await refusedStart({ ...(await testSecrets()), AUTH_COOKIE_SECURE: 'false' });
    expect(output).toContain('AUTH_COOKIE_SECURE=false is refused in production');
  });

  it('stops on HS256 without AUTH_HS256_KEY, and on AUTH_HS256_KEY equal to AUTH_SECRET', async () => {
    const { AUTH_HS256_KEY: _, ...noKey } = await testSecrets('HS256');
    const [missing, same] = await Promise.all([
      refusedStart(noKey),
      refusedStart({ ...noKey, AUTH_HS256_KEY: noKey.AUTH_SECRET }),
    ]);
    expect(missing).toContain('AUTH_HS256_KEY is required');
    expect(same).toContain('AUTH_HS256_KEY must differ from AUTH_SECRET');
  });
});
