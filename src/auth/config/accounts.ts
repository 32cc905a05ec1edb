import { ConfigError } from './define';
import { parseDurationSeconds } from './durations';
import type { AuthEnv } from './env';
import type { AuthConfig, AuthOptions, PasswordRules } from './types';

/** Django's validators' defaults (auth.password_validation), and the kit's length cap. */
export const DEFAULT_PASSWORD_RULES: Readonly<PasswordRules> = Object.freeze({
  minLength: 8,
  maxLength: 4096,
  maxSimilarity: 0.7,
  commonPasswords: true,
  numeric: true,
});

/** The From header of development mail (the local catcher shows it). */
export const DEVELOPMENT_MAIL_FROM = 'Auth kit <no-reply@localhost>';

/** `addr@host` or `Display Name <addr@host>`; no line breaks (a header injection). */
const MAIL_ADDRESS = /^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/;

function fail(message: string): never {
  throw new ConfigError(message);
}

function envBoolean(name: string, raw: string | undefined): boolean | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  return fail(`${name} must be true or false (got "${raw}")`);
}

function envDuration(
  name: string,
  raw: string | undefined,
  { min = 1, max = Infinity } = {},
): number | undefined {
  if (raw === undefined) return undefined;
  const seconds = parseDurationSeconds(raw);
  if (seconds === null || seconds < min || seconds > max) {
    const range = max === Infinity ? `at least ${min}s` : `between ${min}s and ${max}s`;
    fail(`${name} must be a duration such as 300 or "5m", ${range} (got "${raw}")`);
  }
  return seconds;
}

/** defineAuthConfig validated the code's durations; this reads the number. */
function codeDuration(value: unknown): number | undefined {
  return value === undefined ? undefined : (parseDurationSeconds(value) ?? undefined);
}

/**
 * An http(s) origin (`https://app.example.com`, no path or trailing slash); production requires
 * https, because the links built from it carry one-time tokens.
 */
function parseAppUrl(setting: string, value: string, production: boolean): string {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== value)
    fail(
      `${setting} must be an http(s) origin such as https://app.example.com (no path or trailing slash; got "${value}")`,
    );
  // http://localhost is a secure context (browsers keep it on the machine), so a production build
  // run locally (the HTTP tests, a passkey demo: WebAuthn needs a host name, never an IP) may use it.
  const localhost = url.hostname === 'localhost' || url.hostname.endsWith('.localhost');
  if (production && url.protocol !== 'https:' && !localhost)
    fail(
      `${setting} must be an https origin in production (got "${value}"; plain http only on localhost): the links in mail carry one-time tokens`,
    );
  return value;
}

/** SMTP_URL: `smtp://` or `smtps://`. Never echoed in a message: it may hold a password. */
function parseSmtpUrl(value: string): string {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  if (!url || !['smtp:', 'smtps:'].includes(url.protocol) || !url.hostname)
    fail(
      'SMTP_URL must be an smtp:// or smtps:// URL naming a host, such as smtps://user:password@smtp.example.com:465',
    );
  return value;
}

function parseMailFrom(setting: string, value: string): string {
  if (!MAIL_ADDRESS.test(value))
    fail(
      `${setting} must be an address such as no-reply@example.com or "Example <no-reply@example.com>" (got ${JSON.stringify(value)})`,
    );
  return value;
}

type AccountSettings = Pick<
  AuthConfig,
  | 'appUrl'
  | 'signUp'
  | 'passwordReset'
  | 'requireEmailVerification'
  | 'emailVerificationLifetimeSeconds'
  | 'passwordResetLifetimeSeconds'
  | 'passwordRules'
  | 'mail'
  | 'reauthMaxAgeSeconds'
>;

/**
 * Accounts and mail: sign-up, password reset, e-mail verification, the password rules, how mail
 * is sent and the re-authentication window. The environment wins over the code. A production
 * server that sends mail (sign-up or password reset on) refuses to start without SMTP_URL and
 * AUTH_APP_URL: links in mail are built only from the configured origin, never from a request's
 * Host header.
 */
export function resolveAccounts(
  options: Readonly<AuthOptions>,
  env: AuthEnv,
  production: boolean,
): AccountSettings {
  const port = env.port && /^\d+$/.test(env.port) ? env.port : '3000';
  const appUrl = env.appUrl
    ? parseAppUrl('AUTH_APP_URL', env.appUrl, production)
    : options.appUrl !== undefined
      ? parseAppUrl('appUrl', options.appUrl, production)
      : production
        ? null
        : `http://localhost:${port}`;
  const signUp = envBoolean('AUTH_SIGN_UP', env.signUp) ?? options.signUp ?? true;
  const passwordReset =
    envBoolean('AUTH_PASSWORD_RESET', env.passwordReset) ?? options.passwordReset ?? true;
  const requireEmailVerification =
    envBoolean('AUTH_REQUIRE_EMAIL_VERIFICATION', env.requireEmailVerification) ??
    options.requireEmailVerification ??
    true;
  const smtpUrl = env.smtpUrl ? parseSmtpUrl(env.smtpUrl) : null;
  const from = env.mailFrom
    ? parseMailFrom('MAIL_FROM', env.mailFrom)
    : options.mail?.from !== undefined
      ? parseMailFrom('mail.from', options.mail.from)
      : production && appUrl
        ? `no-reply@${new URL(appUrl).hostname}`
        : DEVELOPMENT_MAIL_FROM;
  const passwordRules = { ...DEFAULT_PASSWORD_RULES, ...options.passwordRules };
  if (passwordRules.minLength > passwordRules.maxLength)
    fail(
      `passwordRules: minLength (${passwordRules.minLength}) must not exceed maxLength (${passwordRules.maxLength})`,
    );

  if (production && (signUp || passwordReset) && (!smtpUrl || !appUrl)) {
    const features = [signUp && 'sign-up', passwordReset && 'password reset']
      .filter(Boolean)
      .join(' and ');
    const missing = [!smtpUrl && 'SMTP_URL', !appUrl && 'AUTH_APP_URL'].filter(Boolean);
    fail(
      `${features} send mail, so production needs SMTP_URL (the smtp:// or smtps:// mail server) and AUTH_APP_URL (the https origin the links in mail point to); ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set. Set them, or turn the features off with AUTH_SIGN_UP=false and AUTH_PASSWORD_RESET=false (or signUp: false and passwordReset: false in src/auth.config.ts)`,
    );
  }

  return {
    appUrl,
    signUp,
    passwordReset,
    requireEmailVerification,
    emailVerificationLifetimeSeconds:
      envDuration('AUTH_EMAIL_VERIFICATION_LIFETIME', env.emailVerificationLifetime) ??
      codeDuration(options.emailVerificationLifetime) ??
      86_400,
    passwordResetLifetimeSeconds:
      envDuration('AUTH_PASSWORD_RESET_LIFETIME', env.passwordResetLifetime) ??
      codeDuration(options.passwordResetLifetime) ??
      1800,
    passwordRules: Object.freeze(passwordRules),
    mail: Object.freeze({
      smtpUrl,
      from,
      timeoutSeconds:
        envDuration('MAIL_TIMEOUT', env.mailTimeout, { max: 300 }) ??
        codeDuration(options.mail?.timeout) ??
        5,
    }),
    reauthMaxAgeSeconds:
      envDuration('AUTH_REAUTH_MAX_AGE', env.reauthMaxAge) ??
      codeDuration(options.reauthMaxAge) ??
      300,
  };
}
