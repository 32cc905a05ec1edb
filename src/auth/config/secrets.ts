import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Algorithm } from './types';

interface DevSecrets {
  secret: string;
  signingKeys: Partial<Record<Algorithm, JWK[]>>;
}

/** Generates one private signing JWK with `kid`, `alg` and `use` set. */
export async function generateSigningKey(algorithm: Exclude<Algorithm, 'HS256'>): Promise<JWK> {
  const { privateKey } = await generateKeyPair(algorithm, { extractable: true, crv: algorithm === 'EdDSA' ? 'Ed25519' : undefined });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: randomBytes(8).toString('hex'), alg: algorithm, use: 'sig' };
}

/** Generates a 256-bit secret, base64url encoded. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Development only: the secret and a signing key generated once and kept in `.data/secrets.json`
 * (git-ignored), so restarting `npm run dev` keeps everyone signed in.
 */
export async function loadDevSecrets(dataDir: string, algorithm: Algorithm): Promise<{ secret: string; signingKeys: JWK[] }> {
  const file = join(dataDir, 'secrets.json');
  let stored: DevSecrets;
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  } catch {
    stored = { secret: generateSecret(), signingKeys: {} };
  }
  let changed = !stored.signingKeys;
  stored.signingKeys ??= {};
  if (algorithm !== 'HS256' && !stored.signingKeys[algorithm]?.length) {
    stored.signingKeys[algorithm] = [await generateSigningKey(algorithm)];
    changed = true;
  }
  try {
    readFileSync(file);
  } catch {
    changed = true;
  }
  if (changed) {
    mkdirSync(dataDir, { recursive: true });
    // Write then rename, so a crash never leaves a half-written key file behind.
    writeFileSync(`${file}.tmp`, JSON.stringify(stored, null, 2), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }
  return { secret: stored.secret, signingKeys: algorithm === 'HS256' ? [] : (stored.signingKeys[algorithm] ?? []) };
}
