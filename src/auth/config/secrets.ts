import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Algorithm } from './types';

interface DevSecrets {
  secret: string;
  /** The HS256 signing key, kept apart from `secret` (generated only once HS256 is chosen). */
  hs256Key?: string;
  signingKeys: Partial<Record<Algorithm, JWK[]>>;
}

/** Generates one private signing JWK with `kid`, `alg` and `use` set. */
export async function generateSigningKey(algorithm: Exclude<Algorithm, 'HS256'>): Promise<JWK> {
  const { privateKey } = await generateKeyPair(algorithm, {
    extractable: true,
    crv: algorithm === 'EdDSA' ? 'Ed25519' : undefined,
  });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: randomBytes(8).toString('hex'), alg: algorithm, use: 'sig' };
}

/** Generates a 256-bit secret, base64url encoded. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Development only: the secret and a signing key (for HS256 a separate HMAC key) generated once
 * and kept in `.data/secrets.json` (git-ignored), so restarting `npm run dev` keeps everyone
 * signed in.
 */
export async function loadDevSecrets(
  dataDir: string,
  algorithm: Algorithm,
): Promise<{ secret: string; hs256Key: string | null; signingKeys: JWK[] }> {
  const file = join(dataDir, 'secrets.json');
  let stored: DevSecrets;
  let changed = false;
  let text: string | null = null;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = null; // first run: nothing stored yet
  }
  try {
    stored = text === null ? { secret: '', signingKeys: {} } : (JSON.parse(text) as DevSecrets);
  } catch {
    // Never overwrite a damaged file silently: it would sign every developer out.
    throw new Error(
      `${file} is not valid JSON: repair or delete it (a new secret and key are then generated)`,
    );
  }
  if (typeof stored.secret !== 'string' || !stored.secret) {
    stored.secret = generateSecret();
    changed = true;
  }
  if (typeof stored.signingKeys !== 'object' || stored.signingKeys === null) {
    stored.signingKeys = {};
    changed = true;
  }
  if (algorithm === 'HS256' && (typeof stored.hs256Key !== 'string' || !stored.hs256Key)) {
    stored.hs256Key = generateSecret();
    changed = true;
  }
  if (algorithm !== 'HS256' && !stored.signingKeys[algorithm]?.length) {
    stored.signingKeys[algorithm] = [await generateSigningKey(algorithm)];
    changed = true;
  }
  if (changed) {
    mkdirSync(dataDir, { recursive: true });
    // Write then rename, so a crash never leaves a half-written key file behind.
    writeFileSync(`${file}.tmp`, JSON.stringify(stored, null, 2), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }
  return {
    secret: stored.secret,
    hs256Key: algorithm === 'HS256' ? (stored.hs256Key ?? null) : null,
    signingKeys: algorithm === 'HS256' ? [] : (stored.signingKeys[algorithm] ?? []),
  };
}
