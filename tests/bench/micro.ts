import { randomUUID } from 'node:crypto';
import { generateSecret, generateSigningKey } from '@/auth/config/secrets';
import type { Algorithm } from '@/auth/config/types';
import { loadKeyring } from '@/auth/tokens/keys';
import { signAccessToken, signSessionToken } from '@/auth/tokens/sign';
import { verifyAccessToken, verifySessionToken } from '@/auth/tokens/verify';

/** Per-operation CPU cost of signing and verifying, in microseconds. */
export interface MicroResult {
  name: string;
  signUs: number;
  verifyUs: number;
}

/** CPU time (this process, all threads: WebCrypto runs on the thread pool) per operation, in µs. */
async function timePerOp(iterations: number, op: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(200, iterations); i++) await op(); // warm up the JIT and key caches
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) await op();
  const used = process.cpuUsage(start);
  return Math.round((used.user + used.system) / iterations);
}

/**
 * What one verification costs the proxy or a handler, per algorithm: the kit's own
 * verifyAccessToken (jose plus the claim checks), and the session cookie's HS256 check.
 */
export async function runMicroBenchmarks(iterations = 3000): Promise<MicroResult[]> {
  const results: MicroResult[] = [];
  const config = {
    issuer: null,
    audience: null,
    leewaySeconds: 0,
    accessTokenLifetimeSeconds: 300,
  };
  for (const algorithm of ['ES256', 'RS256', 'EdDSA', 'HS256'] as Algorithm[]) {
    const signingKeys = algorithm === 'HS256' ? [] : [await generateSigningKey(algorithm)];
    const keyring = await loadKeyring({
      algorithm,
      secret: generateSecret(),
      hs256Key: generateSecret(),
      signingKeys,
    });
    const input = {
      userId: 1,
      session: { sid: randomUUID(), authTime: Math.floor(Date.now() / 1000), amr: ['pwd'] },
      customClaims: { username: 'bench', is_staff: false },
      nowSeconds: Math.floor(Date.now() / 1000),
    };
    const { token } = await signAccessToken(keyring, config, input);
    const signUs = await timePerOp(iterations, () => signAccessToken(keyring, config, input));
    const verifyUs = await timePerOp(iterations, async () => {
      if (!(await verifyAccessToken(keyring, config, token)).ok) throw new Error('verify failed');
    });
    results.push({ name: `access token ${algorithm}`, signUs, verifyUs });
    if (algorithm === 'ES256') {
      const session = await signSessionToken(keyring, {
        userId: 1,
        sid: 'bench',
        exp: input.nowSeconds + 3600,
      });
      results.push({
        name: 'session cookie (HS256, the proxy)',
        signUs: await timePerOp(iterations, () =>
          signSessionToken(keyring, { userId: 1, sid: 'bench', exp: input.nowSeconds + 3600 }),
        ),
        verifyUs: await timePerOp(iterations, async () => {
          if (!(await verifySessionToken(keyring, session)))
            throw new Error('session verify failed');
        }),
      });
    }
  }
  return results;
}
