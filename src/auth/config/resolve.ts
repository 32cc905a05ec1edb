import { join } from 'node:path';
import { resolveAccounts } from './accounts';
import { resolveCookies } from './cookies';
import { resolveDatabase } from './database';
import { defineAuthConfig, isDefined } from './define';
import type { AuthEnv } from './env';
import { parseAuthEnv } from './env-schema';
import { idpSettings } from './idp';
import { resolveKeys } from './keys';
import { resolveRequests } from './requests';
import { resolveTokens } from './tokens';
import type { AuthConfig, AuthOptions } from './types';

export { resolveIdp } from './idp';

/**
 * Builds the one {@link AuthConfig}: the user's options (validated once by defineAuthConfig), the
 * environment (validated once by its schema), the defaults of the seed and simplejwt, and the
 * secrets (generated under `.data/` in development only). Each concern resolves its own part;
 * where a setting can come from both, the environment wins (the IdP's pool and client: the code).
 * @throws ConfigError naming the setting (the variable, or the code setting) that cannot be used.
 */
export async function resolveAuthConfig(
  userOptions: AuthOptions,
  rawEnv: AuthEnv,
): Promise<AuthConfig> {
  const options = isDefined(userOptions) ? userOptions : defineAuthConfig(userOptions);
  const env = parseAuthEnv(rawEnv);
  const production = env.nodeEnv === 'production';
  const dataDir = env.dataDir ?? join(process.cwd(), '.data');
  const keys = await resolveKeys(options, env, { production, dataDir });
  // After the keys, so that a missing secret is reported before missing mail settings.
  const accounts = resolveAccounts(options, env, production);
  return Object.freeze({
    production,
    ...resolveCookies(options, env, production),
    idp: Object.freeze(idpSettings(options.idp ?? {}, env)),
    ...resolveTokens(options, env),
    ...keys,
    ...resolveRequests(options, env),
    onEvent: options.onEvent ?? null,
    logLevel: env.logLevel ?? 'info',
    database: resolveDatabase(env, dataDir),
    ...accounts,
  });
}
