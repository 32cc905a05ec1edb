/**
 * The kit's one logger: structured JSON lines, one per call, on stderr for warnings and errors and
 * on stdout otherwise. It sits below every layer (db, auth, the CLI import it; it imports nothing)
 * and takes its threshold from the caller, who knows the configured AUTH_LOG_LEVEL. Never pass it
 * token material, passwords or bound SQL values (describeError() in src/db/errors.ts strips them).
 */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/** Where the threshold comes from: the configuration (`AuthConfig` has `logLevel`). */
export interface LogSettings {
  logLevel: LogLevel;
}

/**
 * The threshold for code that runs without the configuration (a database pool's listener, an
 * error raised before the configuration loaded): every line is written.
 */
export const UNCONFIGURED: LogSettings = { logLevel: 'debug' };

/** Writes one structured JSON log line if `level` passes the configured threshold. */
export function log(
  settings: LogSettings,
  level: Exclude<LogLevel, 'silent'>,
  msg: string,
  fields: Record<string, unknown> = {},
): void {
  if (RANK[level] < RANK[settings.logLevel]) return;
  const line = JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields });
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
}
