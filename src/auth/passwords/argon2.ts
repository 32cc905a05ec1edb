import { hash, verify } from '@node-rs/argon2';
import type { Algorithm, Version } from '@node-rs/argon2';
import type { VerifyResult } from './encoding';

/** OWASP Password Storage Cheat Sheet minimum for Argon2id: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_PARAMETERS: Readonly<{
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}> = Object.freeze({ memoryCost: 19456, timeCost: 2, parallelism: 1 });

/** Raw hash length written by hashArgon2 (@node-rs/argon2's default; argon2-cffi writes 16). */
export const ARGON2_HASH_LENGTH = 32;

// The package's enums are ambient `const enum`s, which isolatedModules cannot read: use values.
const ARGON2ID: Algorithm = 2;
const VERSION_0X13: Version = 1;

// Django stores "argon2" + argon2-cffi's PHC string. Old argon2-cffi hashes have no `v=` field,
// which means version 0x10; @node-rs/argon2 verifies those too (see Django's vector in the tests).
// argon2d is refused: Django never wrote it.
const DJANGO_ARGON2 =
  /^argon2\$(argon2id|argon2i)\$(?:v=(16|19)\$)?m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

// Bounds for stored parameters, so a crafted row cannot allocate gigabytes or spin for minutes.
// Django's own default (m=102400, t=2, p=8) fits comfortably.
const MAX_MEMORY_KIB = 262_144;
const MAX_TIME_COST = 16;
const MAX_PARALLELISM = 64;
const MAX_MEMORY_TIMES_PASSES = 1_048_576;

interface Argon2Parameters {
  variant: 'argon2id' | 'argon2i';
  version: 16 | 19;
  memoryCost: number;
  timeCost: number;
  parallelism: number;
  saltLength: number;
  hashLength: number;
}

function parse(encoded: string): Argon2Parameters | null {
  const match = DJANGO_ARGON2.exec(encoded);
  if (!match) return null;
  const [, variant, version, m = '', t = '', p = '', salt = '', digest = ''] = match;
  const [memoryCost, timeCost, parallelism] = [Number(m), Number(t), Number(p)];
  if (timeCost < 1 || timeCost > MAX_TIME_COST) return null;
  if (parallelism < 1 || parallelism > MAX_PARALLELISM) return null;
  if (memoryCost < 8 * parallelism || memoryCost > MAX_MEMORY_KIB) return null;
  if (memoryCost * timeCost > MAX_MEMORY_TIMES_PASSES) return null;
  return {
    variant: variant === 'argon2i' ? 'argon2i' : 'argon2id',
    version: version === '19' ? 19 : 16,
    memoryCost,
    timeCost,
    parallelism,
    saltLength: Math.floor((salt.length * 3) / 4),
    hashLength: Math.floor((digest.length * 3) / 4),
  };
}

function isCurrent(parameters: Argon2Parameters): boolean {
  return (
    parameters.variant === 'argon2id' &&
    parameters.version === 19 &&
    parameters.memoryCost === ARGON2_PARAMETERS.memoryCost &&
    parameters.timeCost === ARGON2_PARAMETERS.timeCost &&
    parameters.parallelism === ARGON2_PARAMETERS.parallelism &&
    parameters.hashLength === ARGON2_HASH_LENGTH &&
    // Django's must_update also rehashes salts under 128 bits of entropy.
    parameters.saltLength >= 16
  );
}

/** Hashes a password with Argon2id at ARGON2_PARAMETERS, in Django's `argon2$argon2id$...` format. */
export async function hashArgon2(password: string): Promise<string> {
  // The native addon hashes on the libuv thread pool, off the event loop; it draws a 16-byte salt.
  const phc = await hash(password, {
    algorithm: ARGON2ID,
    version: VERSION_0X13,
    outputLen: ARGON2_HASH_LENGTH,
    ...ARGON2_PARAMETERS,
  });
  return `argon2${phc}`;
}

/**
 * Verifies a Django `argon2$argon2id$...` or `argon2$argon2i$...` hash, resolving null when the
 * string is malformed or asks for absurd work.
 */
export async function verifyArgon2(
  password: string,
  encoded: string,
): Promise<VerifyResult | null> {
  const parameters = parse(encoded);
  if (!parameters) return null;
  let valid: boolean;
  try {
    // The Rust argon2 crate's verify_password compares password-hash `Output`s, whose equality is
    // constant time, so no digest comparison happens in JavaScript here.
    valid = await verify(encoded.slice('argon2'.length), password);
  } catch {
    return null;
  }
  return { valid, needsRehash: valid && !isCurrent(parameters) };
}
