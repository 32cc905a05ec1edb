import { log, type LogSettings } from '@/log';

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
  | 'social_exchange.failure'
  // Accounts and e-mail (docs/contract.md section 8).
  | 'sign_up'
  | 'email.verified'
  | 'email.change_requested'
  | 'email.changed'
  | 'password.reset_requested'
  | 'password.reset'
  | 'password.changed'
  | 'account.deleted'
  | 'mail.failed'
  // Second factors and passkeys (docs/contract.md section 9).
  | 'mfa.enabled'
  | 'mfa.disabled'
  | 'mfa.challenge_failed'
  | 'mfa.recovery_codes_regenerated'
  | 'recovery_code.used'
  | 'passkey.added'
  | 'passkey.removed'
  | 'session.reauthenticated';

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
  /** Which mail (`mail.failed`): `verify_email`, `password_reset`, ... (never its address or links). */
  mail?: string;
}

/** The `onEvent` hook of the configuration (AuthOptions.onEvent). */
export type AuthEventHook = (event: AuthEvent) => void | Promise<void>;

/** What reporting an event needs from the configuration: the log threshold and the hook. */
export interface EventSettings extends LogSettings {
  onEvent: AuthEventHook | null;
}

/**
 * Reports an auth decision: one log line, then the configured `onEvent` hook. A failing hook is
 * logged and never changes the answer the user gets.
 */
export async function emitAuthEvent(
  config: EventSettings,
  event: Omit<AuthEvent, 'at'>,
): Promise<void> {
  const full: AuthEvent = { at: new Date().toISOString(), ...event };
  const failed =
    event.type.endsWith('failure') ||
    event.type.endsWith('failed') ||
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
