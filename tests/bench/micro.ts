import { randomUUID } from 'node:crypto';
import { generateSecret, generateSigningKey } from '@/auth/config/secrets';
import type { Algorithm } from '@/auth/config/types';
import { loadKeyring } from '@/auth/tokens/keys';
import { signAccessToken, signSessionToken } from '@/auth/tokens/sign';
import { verifyAccessToken, verifySessionToken } from '@/auth/tokens/verify';

/** Per-operation cost of signing and verifying, in microseconds (median of every operation). */
export interface MicroResult {
  name: string;
  signUs: number;
  verifyUs: number;
}

const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1] ?? 0;

/**
 * Microseconds per operation, the median over `iterations` timed one by one: a median, because
 * on a shared machine a few operations wait for the CPU and a mean would count the wait. The
 * kit's token operations are synchronous (node:crypto on this thread), so wall time is their CPU.
 */
function timePerOp(iterations: number, op: () => unknown): number {
  for (let i = 0; i < Math.min(200, iterations); i++) op(); // warm up the JIT
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    op();
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return Math.round(median(times) * 10) / 10;
}

/**
 * What one signature and one verification cost the proxy or a handler, per algorithm: the kit's
 * own signAccessToken and verifyAccessToken (the signature plus the claim checks), and the session
 * cookie's HS256 token.
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
    const { token } = signAccessToken(keyring, config, input);
    results.push({
      name: `access token ${algorithm}`,
      signUs: timePerOp(iterations, () => signAccessToken(keyring, config, input)),
      verifyUs: timePerOp(iterations, () => {
        if (!verifyAccessToken(keyring, config, token).ok) throw new Error('verify failed');
      }),
    });
    if (algorithm === 'ES256') {
      const cookie = { userId: 1, sid: 'bench', exp: input.nowSeconds + 3600 };
      const session = signSessionToken(keyring, cookie);
      results.push({
        name: 'session cookie (HS256, the proxy)',
        signUs: timePerOp(iterations, () => signSessionToken(keyring, cookie)),
        verifyUs: timePerOp(iterations, () => {
          if (!verifySessionToken(keyring, session)) throw new Error('session verify failed');
        }),
      });
    }
  }
  return results;
}
