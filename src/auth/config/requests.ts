import type { DefinedOptions } from './define';
import type { ParsedEnv } from './env-schema';
import { DEFAULT_THROTTLE } from './throttle';
import type { AuthConfig } from './types';

type RequestSettings = Pick<
  AuthConfig,
  'trustedOrigins' | 'throttle' | 'clientAddressHeader' | 'maxBodyBytes'
>;

/**
 * What the kit accepts of a request: the cross-site origins it trusts, the throttle (every rule
 * filled in), the header that carries the client address behind a proxy and the body size cap.
 */
export function resolveRequests(options: DefinedOptions, env: ParsedEnv): RequestSettings {
  const throttle = env.throttle ?? options.throttle;
  return {
    trustedOrigins: env.trustedOrigins ?? [...(options.trustedOrigins ?? [])],
    throttle: throttle === false ? false : { ...DEFAULT_THROTTLE, ...throttle },
    clientAddressHeader:
      env.clientAddressHeader ?? options.clientAddressHeader?.toLowerCase() ?? null,
    maxBodyBytes: options.maxBodyBytes ?? 16 * 1024,
  };
}
