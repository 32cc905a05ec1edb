import userOptions from '@/auth.config';
import { readAuthEnv } from './env';
import { resolveAuthConfig } from './resolve';
import type { AuthConfig } from './types';

export { defineAuthConfig, ConfigError, REGISTERED_CLAIMS } from './define';
export type * from './types';

const cache = globalThis as unknown as { __authKitConfig?: Promise<AuthConfig> };

/**
 * The kit's configuration, built once per process from `src/auth.config.ts` and the environment.
 * @throws ConfigError naming the bad setting.
 */
export function getAuthConfig(): Promise<AuthConfig> {
  cache.__authKitConfig ??= resolveAuthConfig(userOptions, readAuthEnv()).catch(
    (error: unknown) => {
      delete cache.__authKitConfig;
      throw error;
    },
  );
  return cache.__authKitConfig;
}
