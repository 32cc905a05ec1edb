/**
 * The messages between the server's threads and the embedded database's worker thread
 * (pglite-host.ts in the server, pglite-worker.ts in the worker). Everything crosses by structured
 * clone: SQL text, bound values and result rows (strings, numbers, Dates, bytes), never functions.
 */

/** What the worker is started with (`workerData`). */
export interface WorkerStart {
  /** A data directory, or `memory://` for a throwaway database. */
  dataDir: string;
}

/** One statement, run by the worker in the order the statements arrive. */
export interface StatementRequest {
  id: number;
  text: string;
  params: unknown[];
  rowMode?: 'array' | 'object';
  /** Types whose values stay text (Drizzle's PGlite driver parses dates and intervals itself). */
  textTypes?: number[];
  paramTypes?: number[];
  /**
   * A name for the statement (queryPrepared's): the worker parses and plans it once and then only
   * binds values. `name` must always go with the same text.
   */
  name?: string;
}

/** Closes PGlite (after the statements before it), then the worker exits. */
export interface CloseRequest {
  id: number;
  close: true;
}

export type WorkerRequest = StatementRequest | CloseRequest;

/** The part of PGlite's result that the kit and Drizzle read. */
export interface StatementResult {
  rows: unknown[];
  affectedRows?: number;
  fields: { name: string; dataTypeID: number }[];
}

/** An error as it crosses the port: its name, message and PostgreSQL fields (code, detail, ...). */
export interface SerializedError {
  name: string;
  message: string;
  fields: Record<string, string | number | boolean>;
}

export type WorkerReply =
  | { id: number; result: StatementResult }
  | { id: number; error: SerializedError }
  | { ready: true }
  | { failed: SerializedError };

/** Keeps an error's name, message and primitive own fields (PostgreSQL's code, detail, hint, ...). */
export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: SerializedError['fields'] = {};
  for (const [key, value] of Object.entries(error))
    if (
      ['string', 'number', 'boolean'].includes(typeof value) &&
      key !== 'name' &&
      key !== 'message'
    )
      fields[key] = value as string | number | boolean;
  return { name: error.name, message: error.message, fields };
}

/** The error again, on this side of the port (its stack is this side's). */
export function reviveError({ name, message, fields }: SerializedError): Error {
  const error = Object.assign(new Error(message), fields);
  error.name = name;
  return error;
}
