const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '57P01',
  '57P02',
  '57P03', // admin_shutdown, crash_shutdown, cannot_connect_now
  '53300', // too_many_connections
  '57014', // query_canceled: statement_timeout (DATABASE_TIMEOUT) cancelled a statement
]);
const CONNECTION_MESSAGES =
  /connection terminated|connection (?:timeout|refused|ended)|timeout exceeded when trying to connect|query read timeout|not queryable|websocket|socket hang up|client has encountered a connection error|Cannot use a pool after calling end/i;

/**
 * Tells whether an error means the database could not be reached or did not answer in time (a
 * stall past the driver's reply deadline, a statement past `statement_timeout`), as opposed to a
 * bad query: those become 503 `service_unavailable`. Follows `cause` chains (Drizzle wraps
 * driver errors).
 */
export function isConnectionError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 6; depth++) {
    const { code, message, cause } = current as {
      code?: unknown;
      message?: unknown;
      cause?: unknown;
    };
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08')))
      return true;
    if (typeof message === 'string' && CONNECTION_MESSAGES.test(message)) return true;
    current = cause;
  }
  return false;
}

function hasCode(error: unknown, sqlState: string): boolean {
  for (let current = error, depth = 0; current && depth < 6; depth++) {
    if ((current as { code?: unknown }).code === sqlState) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Tells whether an error is a unique-constraint violation (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown): boolean {
  return hasCode(error, '23505');
}

/** Tells whether an error is a foreign-key violation (SQLSTATE 23503): other rows refer to this one. */
export function isForeignKeyViolation(error: unknown): boolean {
  return hasCode(error, '23503');
}

/** The shape of Drizzle's DrizzleQueryError: the SQL, its bound values, the driver's error. */
interface FailedQuery extends Error {
  query: string;
  params: unknown[];
}

/**
 * Tells whether an error is Drizzle's DrizzleQueryError by its shape, not by `instanceof`: inside
 * the Next server the database is opened in the instrumentation bundle while each route bundle
 * holds its own copy of drizzle-orm, so the error's class is not the one this module imports.
 * The message counts too: PGlite's own errors also carry `query` and `params`.
 */
function isFailedQuery(error: unknown): error is FailedQuery {
  if (typeof error !== 'object' || error === null) return false;
  const { query, params, message } = error as Partial<FailedQuery>;
  return (
    typeof query === 'string' &&
    Array.isArray(params) &&
    typeof message === 'string' &&
    message.startsWith('Failed query: ')
  );
}

/**
 * The text to log for an error, never the values a query was bound to: Drizzle's
 * DrizzleQueryError puts them in its message and stack (`params: …`), and they can be password
 * hashes, id-token digests or e-mail addresses. Logs the SQL and the driver's own error instead.
 */
export function describeError(error: unknown, { stack = false } = {}): string {
  if (isFailedQuery(error))
    return `query failed: ${error.query}\ncaused by: ${describeError(error.cause, { stack })}`;
  if (error instanceof Error) return (stack && error.stack) || error.message;
  return String(error);
}
