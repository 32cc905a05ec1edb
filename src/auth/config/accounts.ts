import type { DefinedOptions } from './define';
import type { ParsedEnv } from './env-schema';
import { fail } from './errors';
import type { AuthConfig, PasswordRules } from './types';

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

export const ACCOUNT_DEFAULTS = {
  emailVerificationLifetimeSeconds: 24 * 3600,
  passwordResetLifetimeSeconds: 30 * 60,
  mailTimeoutSeconds: 5,
  reauthMaxAgeSeconds: 5 * 60,
} as const;

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
 * The app's public origin. Links in mail are built only from it, never from a request's Host
 * header (which whoever sends the request chooses); production requires https, as those links
 * carry one-time tokens. Development defaults to the dev server's own address.
 */
function resolveAppUrl(options: DefinedOptions, env: ParsedEnv, production: boolean) {
  const setting = env.appUrl !== undefined ? 'AUTH_APP_URL' : 'appUrl';
  const appUrl = env.appUrl ?? options.appUrl;
  if (appUrl === undefined) return production ? null : `http://localhost:${env.port ?? 3000}`;
  // http://localhost is a secure context (browsers keep it on the machine), so a production build
  // run locally (the HTTP tests, a passkey demo: WebAuthn needs a host name, never an IP) may use it.
  const { protocol, hostname } = new URL(appUrl);
  const localhost = hostname === 'localhost' || hostname.endsWith('.localhost');
  if (production && protocol !== 'https:' && !(protocol === 'http:' && localhost))
    fail(
      `${setting} must be an https origin in production (got "${appUrl}"; plain http only on localhost): the links in mail carry one-time tokens`,
    );
  return appUrl;
}

/**
 * Accounts and mail: sign-up, password reset, e-mail verification, the password rules, how mail
 * is sent and the re-authentication window. The environment wins over the code. A production
 * server that sends mail (sign-up or password reset on) refuses to start without SMTP_URL and
 * AUTH_APP_URL.
 */
export function resolveAccounts(
  options: DefinedOptions,
  env: ParsedEnv,
  production: boolean,
): AccountSettings {
  const appUrl = resolveAppUrl(options, env, production);
  const signUp = env.signUp ?? options.signUp ?? true;
  const passwordReset = env.passwordReset ?? options.passwordReset ?? true;
  const smtpUrl = env.smtpUrl ?? null;

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
    requireEmailVerification:
      env.requireEmailVerification ?? options.requireEmailVerification ?? true,
    emailVerificationLifetimeSeconds:
      env.emailVerificationLifetime ??
      options.emailVerificationLifetime ??
      ACCOUNT_DEFAULTS.emailVerificationLifetimeSeconds,
    passwordResetLifetimeSeconds:
      env.passwordResetLifetime ??
      options.passwordResetLifetime ??
      ACCOUNT_DEFAULTS.passwordResetLifetimeSeconds,
    passwordRules: Object.freeze({ ...DEFAULT_PASSWORD_RULES, ...options.passwordRules }),
    mail: Object.freeze({
      smtpUrl,
      from:
        env.mailFrom ??
        options.mail?.from ??
        (production && appUrl ? `no-reply@${new URL(appUrl).hostname}` : DEVELOPMENT_MAIL_FROM),
      timeoutSeconds:
        env.mailTimeout ?? options.mail?.timeout ?? ACCOUNT_DEFAULTS.mailTimeoutSeconds,
    }),
    reauthMaxAgeSeconds:
      env.reauthMaxAge ?? options.reauthMaxAge ?? ACCOUNT_DEFAULTS.reauthMaxAgeSeconds,
  };
}
