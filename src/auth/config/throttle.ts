/** One throttling rule: at most `limit` counted attempts per `windowSeconds`. */
export interface ThrottleRule {
  limit: number;
  windowSeconds: number;
}

/**
 * Throttle limits (docs/contract.md section 6), or `false` when it is off. `global` bounds failed
 * sign-ins across all clients while no client-address header is configured (default 100/900 when
 * left out); `mail` bounds the mail sent to one recipient address (default 5/3600).
 */
export type ThrottleSettings =
  | { username: ThrottleRule; address: ThrottleRule; global?: ThrottleRule; mail?: ThrottleRule }
  | false;

/**
 * The contract's defaults: 5 failures per username, 30 attempts per address, 100 failures in all,
 * per 15 min; 5 mails to one address per hour.
 */
export const DEFAULT_THROTTLE: Required<Exclude<ThrottleSettings, false>> = {
  username: { limit: 5, windowSeconds: 900 },
  address: { limit: 30, windowSeconds: 900 },
  global: { limit: 100, windowSeconds: 900 },
  mail: { limit: 5, windowSeconds: 3600 },
};

type Scope = keyof typeof DEFAULT_THROTTLE;

/**
 * Parses `AUTH_THROTTLE` (`username=5/900,address=30/900,global=100/900,mail=5/3600`, or
 * `off`); a rule left out keeps its default.
 * @throws Error naming the bad part when the value cannot be read.
 */
export function parseThrottle(value: string): Required<Exclude<ThrottleSettings, false>> | false {
  const text = value.trim();
  if (text === 'off' || text === 'false' || text === '0') return false;
  const rules = { ...DEFAULT_THROTTLE };
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^(username|address|global|mail)=([1-9]\d*)\/([1-9]\d*)$/.exec(part);
    if (!match) {
      throw new Error(
        `AUTH_THROTTLE must look like "username=5/900,address=30/900,global=100/900,mail=5/3600" or "off" (got "${part}")`,
      );
    }
    const [, scope, limit, windowSeconds] = match as unknown as [string, Scope, string, string];
    rules[scope] = { limit: Number(limit), windowSeconds: Number(windowSeconds) };
  }
  return rules;
}
