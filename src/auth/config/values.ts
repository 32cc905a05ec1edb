import { z } from 'zod';
import { parseDurationSeconds } from './durations';

/*
 * The value schemas shared by the settings in code (define.ts) and the environment
 * (env-schema.ts). Their messages leave out the name: describeIssues (errors.ts) puts the name
 * the user wrote in front, the code setting or the environment variable.
 */

function issue(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER as never;
}

/** A {@link Duration} (or its text from the environment) as seconds, within `[min, max]`. */
export function duration({ min = 0, max = Infinity }: { min?: number; max?: number } = {}) {
  return z.unknown().transform((value, ctx): number => {
    const seconds = parseDurationSeconds(value);
    if (seconds !== null && seconds >= min && seconds <= max) return seconds;
    const range = max === Infinity ? `at least ${min}s` : `between ${min}s and ${max}s`;
    return issue(
      ctx,
      `must be a duration such as 300 or "5m", ${range} (got ${JSON.stringify(value)})`,
    );
  });
}

/** One of a few words; `described` lists them for the message (`auto, true or false`). */
export function oneOf<const Values extends readonly string[]>(values: Values, described: string) {
  return z
    .string()
    .transform((value, ctx): Values[number] =>
      values.includes(value) ? value : issue(ctx, `must be ${described} (got "${value}")`),
    );
}

/** `true` or `false`, as the environment writes a switch. */
export const envBoolean = z
  .string()
  .transform((value, ctx): boolean =>
    value === 'true'
      ? true
      : value === 'false'
        ? false
        : issue(ctx, `must be true or false (got "${value}")`),
  );

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** An http(s) origin as the browser sends it: no path, no trailing slash, lower-case host. */
export const origin = z.string().transform((value, ctx): string => {
  const url = parseUrl(value);
  if (url && ['http:', 'https:'].includes(url.protocol) && url.origin === value) return value;
  return issue(
    ctx,
    `must be an origin such as https://app.example.com (no path or trailing slash; got "${value}")`,
  );
});

/** A comma-separated list of origins (AUTH_TRUSTED_ORIGINS). */
export const originList = z.string().transform((value, ctx): string[] => {
  const origins = value
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const item of origins) {
    const url = parseUrl(item);
    if (!url || url.origin !== item)
      issue(
        ctx,
        `"${item}" must be an origin such as https://app.example.com (no path or trailing slash)`,
      );
  }
  return origins;
});

/** `smtp://` or `smtps://`, optionally with `user:pass@`. Never echoed: it may hold a password. */
export const smtpUrl = z.string().transform((value, ctx): string => {
  const url = parseUrl(value);
  if (url && ['smtp:', 'smtps:'].includes(url.protocol) && url.hostname) return value;
  return issue(
    ctx,
    'must be an smtp:// or smtps:// URL naming a host, such as smtps://user:password@smtp.example.com:465',
  );
});

/** `addr@host` or `Display Name <addr@host>`; no line break (it would inject a mail header). */
export const mailAddress = z
  .string()
  .transform((value, ctx): string =>
    /^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/.test(value)
      ? value
      : issue(
          ctx,
          `must be an address such as no-reply@example.com or "Example <no-reply@example.com>" (got ${JSON.stringify(value)})`,
        ),
  );

/** A postgres:// or postgresql:// URL with a host. Never echoed: it holds the password. */
export const postgresUrl = z.string().transform((value, ctx): string => {
  const url = parseUrl(value);
  if (url && ['postgres:', 'postgresql:'].includes(url.protocol) && url.hostname) return value;
  return issue(ctx, 'must be a postgres:// or postgresql:// URL');
});

/** A Cognito user pool id, `<region>_<id>`. */
export const userPoolId = z
  .string()
  .transform((value, ctx): string =>
    /^[\w-]+_[0-9a-zA-Z]+$/.test(value)
      ? value
      : issue(ctx, `must look like "us-east-1_AbCdEf" (got "${value}")`),
  );

/** A TCP port (PORT). */
export const port = z.string().transform((value, ctx): number => {
  const number = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  return number >= 1 && number <= 65_535
    ? number
    : issue(ctx, `must be a port number from 1 to 65535 (got "${value}")`);
});
