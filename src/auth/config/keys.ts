import type { JWK } from 'jose';
import type { DefinedOptions } from './define';
import type { ParsedEnv } from './env-schema';
import { fail } from './errors';
import { loadDevSecrets } from './secrets';
import { secretWeakness } from './strength';
import type { Algorithm, AuthConfig } from './types';

type KeySettings = Pick<AuthConfig, 'algorithm' | 'secret' | 'hs256Key' | 'signingKeys'>;

/** How to make each secret (generate-keys prints AUTH_SECRET; the HS256 key is any strong random text). */
const HOW_TO_GENERATE = {
  AUTH_SECRET: 'generate one with: npm run auth -- generate-keys (or: openssl rand -base64 48)',
  AUTH_HS256_KEY: 'generate one with: openssl rand -base64 48',
} as const;

/** Refuses a production secret that is short or guessable, naming the variable and the fix. */
function requireStrongSecret(name: keyof typeof HOW_TO_GENERATE, value: string): void {
  const weakness = secretWeakness(value);
  if (weakness) fail(`${name} is too weak (${weakness}); ${HOW_TO_GENERATE[name]}`);
}

/**
 * The signing algorithm and its keys, and AUTH_SECRET (the root of every cookie key). Production
 * takes them from the environment and refuses weak ones; development generates what is missing
 * once, under `.data/secrets.json`. AUTH_HS256_KEY (HS256 only) is never the same text as
 * AUTH_SECRET.
 */
export async function resolveKeys(
  options: DefinedOptions,
  env: ParsedEnv,
  { production, dataDir }: { production: boolean; dataDir: string },
): Promise<KeySettings> {
  const envKeys = env.signingKeys ?? null;
  const algorithm: Algorithm =
    env.algorithm ?? options.algorithm ?? (envKeys?.[0]?.alg as Algorithm | undefined) ?? 'ES256';
  if (envKeys && algorithm !== 'HS256' && envKeys[0]?.alg !== algorithm)
    fail(
      `AUTH_SIGNING_KEYS: the first key signs, so its alg must be ${algorithm} (got ${envKeys[0]?.alg})`,
    );

  const hs256 = algorithm === 'HS256';
  let secret = env.secret;
  let hs256Key = hs256 ? (env.hs256Key ?? null) : null;
  let signingKeys: JWK[] = envKeys ?? [];
  if (production) {
    if (!secret)
      fail(
        'AUTH_SECRET is required in production: set it to 32+ random characters (`npm run auth -- generate-keys` prints one)',
      );
    requireStrongSecret('AUTH_SECRET', secret);
    if (hs256 && !hs256Key)
      fail(
        `AUTH_HS256_KEY is required in production when the algorithm is HS256: the HS256 signing key, separate from AUTH_SECRET; ${HOW_TO_GENERATE.AUTH_HS256_KEY}`,
      );
    if (hs256Key) requireStrongSecret('AUTH_HS256_KEY', hs256Key);
    if (!hs256 && !envKeys)
      fail(
        `AUTH_SIGNING_KEYS is required in production for ${algorithm}: \`npm run auth -- generate-keys\` prints one`,
      );
  } else if (!secret || (hs256 && !hs256Key) || (!hs256 && !envKeys)) {
    const dev = await loadDevSecrets(dataDir, algorithm);
    secret ??= dev.secret;
    hs256Key ??= dev.hs256Key;
    if (!envKeys) signingKeys = dev.signingKeys;
  }
  // A service given the HS256 key to verify tokens must not be able to mint cookies with it.
  if (hs256Key !== null && hs256Key === secret)
    fail(
      `AUTH_HS256_KEY must differ from AUTH_SECRET (AUTH_SECRET keys the cookies; whoever verifies HS256 tokens holds AUTH_HS256_KEY): ${HOW_TO_GENERATE.AUTH_HS256_KEY}`,
    );
  return {
    algorithm,
    secret: secret ?? fail('AUTH_SECRET is not set'),
    hs256Key,
    signingKeys: hs256 ? [] : signingKeys,
  };
}
