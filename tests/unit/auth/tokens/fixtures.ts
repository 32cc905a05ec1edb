import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Algorithm } from '@/auth/config/types';
import type { User } from '@/db/schema';

export type AsymmetricAlgorithm = Exclude<Algorithm, 'HS256'>;

/** A fresh private signing JWK with `kid`, `alg` and `use`, as AUTH_SIGNING_KEYS holds them. */
export async function privateJwk(alg: AsymmetricAlgorithm, kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    crv: alg === 'EdDSA' ? 'Ed25519' : undefined,
  });
  return { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
}

/** A 32-character secret for cookie signing (AUTH_SECRET). */
export const SECRET = 'test-secret-0123456789abcdefghijk';

/** The HS256 signing key (AUTH_HS256_KEY), distinct from SECRET. */
export const HS256_KEY = 'test-hs256-key-0123456789abcdefgh';

/** Verification settings with nothing optional configured. */
export const PLAIN = { issuer: null, audience: null, leewaySeconds: 0 } as const;

/** Signing settings with nothing optional configured and the default lifetime. */
export const PLAIN_SIGNING = {
  issuer: null,
  audience: null,
  accessTokenLifetimeSeconds: 300,
} as const;

/** 2025-11-28T16:00:00Z, the frozen "now" of the token tests. */
export const NOW_SECONDS = 1_764_345_600;

/** Splits a compact JWS into its decoded header and payload. */
export function decodeJwt(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [header, payload] = token.split('.');
  const decode = (part: string | undefined) =>
    JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: decode(header), payload: decode(payload) };
}

/** A user row as the database returns it. */
export function makeUser(overrides: Partial<User> = {}): User {
  return {
    id: 42,
    username: 'admin',
    usernameCanonical: 'admin',
    usernameSkeleton: 'adrnin',
    email: 'admin@example.com',
    emailCanonical: 'admin@example.com',
    emailVerified: false,
    selfRegistered: false,
    password: 'argon2$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    firstName: 'Ada',
    lastName: 'Lovelace',
    isActive: true,
    isStaff: true,
    isSuperuser: false,
    dateJoined: new Date('2024-01-02T03:04:05.678Z'),
    lastLogin: null,
    ...overrides,
  };
}

/** The session an access token in these tests belongs to (its `sid`, `auth_time`, `amr`). */
export const SESSION = {
  sid: '6f1c1f9e-4c1b-4b7e-9a51-0c2f4d5e6a7b',
  authTime: NOW_SECONDS - 60,
  amr: ['pwd'],
} as const;
