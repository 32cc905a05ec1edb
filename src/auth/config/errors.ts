import type { z } from 'zod';

/** A configuration value that cannot be used; the message names the setting and the fix. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Stops start-up with a message that names the setting (the variable or the code setting). */
export function fail(message: string): never {
  throw new ConfigError(message);
}

/**
 * One line per zod issue, each starting with the name the user wrote: `nameOf` turns the issue's
 * path into the code setting (`accessTokenLifetime`, `idp.userPoolId`) or the environment
 * variable (`AUTH_ACCESS_TOKEN_LIFETIME`). A message that already starts with the name is kept.
 */
export function describeIssues(
  error: z.ZodError,
  nameOf: (path: readonly PropertyKey[]) => string,
): string {
  return error.issues
    .map((issue) => {
      const name = nameOf(issue.path);
      if (issue.message.startsWith(name)) return issue.message;
      // Our own messages read on from the name ("… must be …"); zod's own ones do not.
      return /^(must|needs|is) /.test(issue.message)
        ? `${name} ${issue.message}`
        : `${name}: ${issue.message}`;
    })
    .join('\n');
}
