import type { AuthConfig } from './config/types';

/** The auth decisions the kit reports (docs/contract.md section 6); never any token material. */
export type AuthEventType =
  | 'sign_in.success'
  | 'sign_in.failure'
  | 'sign_in.throttled'
  | 'refresh.success'
  | 'refresh.failure'
  | 'refresh.reuse_detected'
  | 'logoff'
  | 'logoff_all'
  | 'session.revoked'
  | 'social_exchange.success'
  | 'social_exchange.failure';

/** One auth event as `onEvent` receives it and the log line prints it. */
export interface AuthEvent {
  type: AuthEventType;
  at: string;
  userId: number | null;
  sid: string | null;
  address: string | null;
  /** A machine-readable reason for failures (e.g. `bad_credentials`, `expired`, `reused`). */
  reason?: string;
  /** The username tried at sign-in (failures only; never a password). */
  username?: string;
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 } as const;

/** Writes one structured JSON log line if `level` passes the configured AUTH_LOG_LEVEL. */
export function log(
  config: Pick<AuthConfig, 'logLevel'>,
  level: keyof typeof LEVELS,
  msg: string,
  fields: Record<string, unknown> = {},
): void {
  if (LEVELS[level] < LEVELS[config.logLevel]) return;
  const line = JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields });
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
}

/**
 * Reports an auth decision: one log line, then the configured `onEvent` hook. A failing hook is
 * logged and never changes the answer the user gets.
 */
export async function emitAuthEvent(
  config: AuthConfig,
  event: Omit<AuthEvent, 'at'>,
): Promise<void> {
  const full: AuthEvent = { at: new Date().toISOString(), ...event };
  const failed =
    event.type.endsWith('failure') ||
    event.type.includes('reuse') ||
    event.type.includes('throttled');
  log(config, failed ? 'warn' : 'info', 'auth event', { event: full });
  if (!config.onEvent) return;
  try {
    await config.onEvent(full);
  } catch (error) {
    log(config, 'error', 'onEvent hook failed', {
      type: event.type,
      error: (error as Error).message,
    });
  }
}
