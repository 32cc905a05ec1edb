import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { QueryOptions } from '@electric-sql/pglite';
import { log, UNCONFIGURED } from '@/log';
import { acquirePgliteLock } from './pglite-lock';
import {
  reviveError,
  type StatementRequest,
  type StatementResult,
  type WorkerReply,
  type WorkerRequest,
  type WorkerStart,
} from './pglite-protocol';

/**
 * The embedded database (PGlite) in a worker thread, as the server's side sees it: a client with
 * PGlite's `query()` and `transaction()`, which Drizzle's PGlite driver and the kit's prepared
 * runner use as they would use PGlite itself. PGlite is WebAssembly that runs each statement to
 * the end on the thread that calls it: in the server's main thread, every statement held the
 * event loop for 1.6 to 2.7 ms. In the worker the main thread only posts the statement and reads
 * the rows.
 *
 * What the host keeps, that PGlite in the thread gave for free or a server database gives:
 * - One process: the kit's lock on the data directory is taken here, in the main thread, and
 *   held across restarts of the worker.
 * - Transactions: PGlite is one connection, so while a transaction is open the statements of
 *   everyone else wait here (not in the worker), and the worker runs the transaction's
 *   statements in order.
 * - Deadlines (DATABASE_TIMEOUT): the statement the worker is running must answer within the
 *   timeout + 1 s (as node-postgres's `query_timeout` bounds the wait for a reply). PGlite cannot
 *   cancel a statement (it has no statement_timeout): past that, the worker is stuck in it, and it
 *   is stopped (every statement it held fails with a connection error, a 503) and started again.
 *   Statements queued behind others are not cut short while the worker makes progress: the worker
 *   answers them in order, each within its own deadline. Waiting for a new worker to open is
 *   bounded by the same deadline (as a pool bounds opening a connection).
 * - A transaction left idle (its caller stalled between statements) for longer than the timeout
 *   is rolled back and gives up the database, as `idle_in_transaction_session_timeout` ends a
 *   PostgreSQL session, and its later statements fail (as `watchCheckout()` in client.ts does
 *   for a pool's connection).
 * - A crashed worker: the statements it held fail at once with a connection error (503), and a
 *   new worker starts on the same directory at once (PostgreSQL's recovery replays the WAL, as
 *   after a killed process); statements meanwhile wait for it, within their deadline. A worker
 *   that cannot start again is retried by the next statement, at most once a second; meanwhile
 *   statements fail at once.
 */

/** The query options Drizzle's PGlite driver passes (rowMode, and parsers that keep text). */
type HostQueryOptions = Pick<QueryOptions, 'rowMode' | 'parsers' | 'paramTypes'> &
  Partial<Record<Exclude<keyof QueryOptions, 'rowMode' | 'parsers' | 'paramTypes'>, never>>;

/** What Drizzle's PGlite driver and the prepared runner call on a client, or on a transaction. */
export interface PgliteLikeClient {
  query<T = Record<string, unknown>>(
    text: string,
    params?: unknown[],
    options?: HostQueryOptions,
  ): Promise<StatementResult & { rows: T[] }>;
}

export interface PgliteHostClient extends PgliteLikeClient {
  transaction<T>(fn: (tx: PgliteLikeClient) => Promise<T>): Promise<T>;
}

/** The shortest pause between two attempts to start a worker that failed to start. */
const RESTART_BACKOFF_MS = 1_000;

/**
 * Errors that mean the embedded database could not answer: each message matches
 * isConnectionError() (src/db/errors.ts), so a request meeting one is a 503 with Retry-After.
 */
function unavailable(message: string, code?: string, cause?: unknown): Error {
  const error = new Error(message, cause === undefined ? undefined : { cause });
  error.name = 'PgliteUnavailableError';
  return code ? Object.assign(error, { code }) : error;
}

/** A statement posted to the worker and not answered yet. */
interface InFlight {
  resolve(result: StatementResult): void;
  reject(error: Error): void;
}

/** An open transaction: it holds the database until it ends or breaks. */
interface HostTransaction {
  /** The worker its BEGIN ran on: its statements never run on another one. */
  generation: number;
  /** Why it cannot go on (a deadline, idleness, the worker's crash); set once. */
  broken?: Error;
  idle?: ReturnType<typeof setTimeout>;
  /** Its statements posted and not answered yet: it is idle only at 0. */
  active: number;
  ended: Promise<void>;
  end(): void;
}

export class PgliteHost implements PgliteHostClient {
  readonly #dataDir: string;
  readonly #timeoutMs: number;
  readonly #releaseLock: () => void;
  #worker: Worker | undefined;
  #starting: Promise<Worker> | undefined;
  #generation = 0;
  #lastStartFailure: { error: Error; at: number } | undefined;
  /**
   * The statements posted to the current worker, in the order it answers them: the first is the
   * one it runs, since #headStartedAt. The worker is ref'd while there are any.
   */
  #inFlight = new Map<number, InFlight>();
  #headStartedAt = 0;
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  #nextId = 1;
  #tx: HostTransaction | undefined;
  #closing: Promise<void> | undefined;

  private constructor(dataDir: string, timeoutMs: number, releaseLock: () => void) {
    this.#dataDir = dataDir;
    this.#timeoutMs = timeoutMs;
    this.#releaseLock = releaseLock;
  }

  /**
   * Takes the directory's lock and starts the worker on it.
   * @throws DatabaseLockedError when another process holds the directory.
   * @throws PgliteOpenError when PGlite cannot open it.
   */
  static async open(dataDir: string, timeoutMs: number): Promise<PgliteHost> {
    const inMemory = dataDir.startsWith('memory://');
    if (!inMemory) mkdirSync(dirname(dataDir), { recursive: true });
    const release = inMemory ? () => {} : acquirePgliteLock(dataDir);
    const host = new PgliteHost(dataDir, timeoutMs, release);
    try {
      host.#starting = host.#spawn();
      await host.#starting;
      return host;
    } catch (error) {
      host.#starting = undefined;
      release();
      throw error;
    }
  }

  /** How long a statement may take from the call to its answer: the timeout + 1 s. */
  get #deadlineMs(): number {
    return this.#timeoutMs + 1_000;
  }

  query<T = Record<string, unknown>>(
    text: string,
    params: unknown[] = [],
    options?: HostQueryOptions,
  ): Promise<StatementResult & { rows: T[] }> {
    try {
      return this.#request(statement(text, params, options)) as Promise<
        StatementResult & { rows: T[] }
      >;
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /**
   * Runs a named statement (queryPrepared): the worker parses and plans it once, then only binds
   * values. Outside a transaction, as query() runs.
   */
  prepared<T = Record<string, unknown>>(
    name: string,
    text: string,
    params: unknown[],
  ): Promise<StatementResult & { rows: T[] }> {
    return this.#request({ ...statement(text, params), name }) as Promise<
      StatementResult & { rows: T[] }
    >;
  }

  /**
   * Runs `fn` in a transaction: BEGIN, its statements, then COMMIT, or ROLLBACK when it throws.
   * Everyone else's statements wait until it ends (PGlite is one connection).
   */
  async transaction<T>(fn: (tx: PgliteLikeClient) => Promise<T>): Promise<T> {
    while (this.#tx) await this.#tx.ended;
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const tx: HostTransaction = { generation: -1, active: 0, ended, end };
    this.#tx = tx;
    const client: PgliteLikeClient = {
      query: (text, params = [], options) =>
        this.#transactionStatement(tx, statement(text, params, options)) as never,
    };
    try {
      await this.#transactionStatement(tx, statement('begin', []));
      let result: T;
      try {
        result = await fn(client);
      } catch (error) {
        if (!tx.broken)
          await this.#transactionStatement(tx, statement('rollback', [])).catch(() => {});
        throw error;
      }
      if (tx.broken) throw tx.broken; // fn caught the error of a statement and carried on
      await this.#transactionStatement(tx, statement('commit', []));
      return result;
    } finally {
      this.#endTransaction(tx);
    }
  }

  /**
   * Stops the worker as a crash would (its thread is terminated mid-statement): what it held
   * fails with a connection error, and the next statement starts another worker. The path a
   * real crash takes; the tests of that path call it (through `db.$client`).
   */
  async stopWorker(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    await worker.terminate();
    await exited;
  }

  /** Closes PGlite (after the statements already sent), stops the worker, gives up the lock. */
  close(): Promise<void> {
    return (this.#closing ??= this.#shutdown());
  }

  /** A transaction's statement: it goes on the worker of its BEGIN, and keeps the tx alive. */
  #transactionStatement(tx: HostTransaction, body: Omit<StatementRequest, 'id'>) {
    if (tx.broken) return Promise.reject(tx.broken);
    clearTimeout(tx.idle);
    tx.active++;
    const settled = () => {
      if (--tx.active > 0 || this.#tx !== tx || tx.broken) return;
      tx.idle = setTimeout(() => {
        this.#breakTransaction(
          tx,
          unavailable(
            `connection terminated: the transaction was idle for longer than DATABASE_TIMEOUT (${this.#timeoutMs / 1000} s) and was rolled back`,
            '25P03',
          ),
        );
      }, this.#timeoutMs);
      tx.idle.unref?.();
    };
    const answer = this.#request(body, tx);
    answer.then(settled, settled);
    return answer;
  }

  /** Ends a transaction that cannot go on: ROLLBACK on its worker, and the database is free again. */
  #breakTransaction(tx: HostTransaction, reason: Error) {
    if (tx.broken) return;
    tx.broken = reason;
    // Posted before anyone waiting gets the database, so that nothing runs inside the old
    // transaction; when its statement is stuck, the worker is restarted and takes it along.
    if (this.#worker && tx.generation === this.#generation)
      this.#post(this.#worker, statement('rollback', []), { resolve() {}, reject() {} });
    this.#endTransaction(tx);
  }

  #endTransaction(tx: HostTransaction) {
    clearTimeout(tx.idle);
    if (this.#tx !== tx) return;
    this.#tx = undefined;
    tx.end();
  }

  #request(body: Omit<StatementRequest, 'id'>, tx?: HostTransaction): Promise<StatementResult> {
    if (this.#closing) return Promise.reject(this.#closedError());
    return new Promise((resolve, reject) => {
      const reply: InFlight = { resolve, reject };
      // The hot path: a running worker, no transaction in the way: posted synchronously.
      if (this.#worker && (tx ? tx.generation === this.#generation : !this.#tx))
        this.#post(this.#worker, body, reply);
      else void this.#dispatch(body, reply, tx);
    });
  }

  /** Waits for the database (a transaction to end, a worker to start), then posts the request. */
  async #dispatch(body: Omit<StatementRequest, 'id'>, reply: InFlight, tx?: HostTransaction) {
    try {
      for (;;) {
        if (this.#closing) throw this.#closedError();
        if (tx?.broken) throw tx.broken;
        if (!tx && this.#tx) {
          await this.#tx.ended;
          continue;
        }
        const worker = this.#worker ?? (await this.#started());
        if (!tx && this.#tx) continue; // a transaction began while the worker started
        if (this.#closing) throw this.#closedError();
        if (tx && tx.generation !== -1 && tx.generation !== this.#generation)
          throw (tx.broken ??= this.#crashError('the transaction was lost with it'));
        if (tx && tx.generation === -1) tx.generation = this.#generation;
        this.#post(worker, body, reply);
        return;
      }
    } catch (error) {
      reply.reject(error as Error);
    }
  }

  /** The running worker; waiting for one to open is bounded by the deadline. */
  async #started(): Promise<Worker> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            unavailable(
              `timeout exceeded when trying to connect: the embedded database did not open within DATABASE_TIMEOUT + 1 s (${this.#deadlineMs / 1000} s)`,
            ),
          ),
        this.#deadlineMs,
      );
    });
    try {
      return await Promise.race([this.#running(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  #post(worker: Worker, body: Omit<StatementRequest, 'id'>, reply: InFlight) {
    const id = this.#nextId++;
    try {
      worker.postMessage({ id, ...body } satisfies WorkerRequest);
    } catch (error) {
      // A bound value that cannot be cloned (a function, a class instance with private state).
      reply.reject(error as Error);
      return;
    }
    if (this.#inFlight.size === 0) {
      worker.ref();
      this.#headStartedAt = performance.now();
      this.#armWatchdog(this.#deadlineMs);
    }
    this.#inFlight.set(id, reply);
  }

  #onReply(worker: Worker, reply: WorkerReply) {
    if (worker !== this.#worker || !('id' in reply)) return;
    const waiting = this.#inFlight.get(reply.id);
    if (!waiting) return;
    this.#inFlight.delete(reply.id);
    // The worker answers in order: the next statement started now.
    this.#headStartedAt = performance.now();
    if (this.#inFlight.size === 0) worker.unref();
    if ('error' in reply) waiting.reject(reviveError(reply.error));
    else waiting.resolve(reply.result);
  }

  /**
   * One timer for the worker, not one per statement: it fires when the statement the worker runs
   * would pass its deadline, and looks again if that one has been answered meanwhile.
   */
  #armWatchdog(ms: number) {
    if (this.#watchdog) return;
    this.#watchdog = setTimeout(() => {
      this.#watchdog = undefined;
      if (this.#inFlight.size === 0 || !this.#worker) return;
      const ranMs = performance.now() - this.#headStartedAt;
      if (ranMs < this.#deadlineMs) return this.#armWatchdog(this.#deadlineMs - ranMs + 1);
      // The worker is stuck in its statement (PGlite cannot cancel one).
      const [id, head] = this.#inFlight.entries().next().value!;
      this.#inFlight.delete(id);
      head.reject(this.#deadlineError());
      this.#discardWorker('a statement ran past DATABASE_TIMEOUT + 1 s', true);
    }, ms);
    this.#watchdog.unref?.();
  }

  #deadlineError() {
    return unavailable(
      `query read timeout: the embedded database did not answer within DATABASE_TIMEOUT + 1 s (${this.#deadlineMs / 1000} s)`,
    );
  }

  #crashError(detail: string) {
    return unavailable(
      `connection terminated: the embedded database's worker stopped (${detail}); the next statement starts it again`,
      '57P02',
    );
  }

  #closedError() {
    return unavailable('connection ended: the embedded database was closed');
  }

  /**
   * Forgets the current worker (stopping it when asked): what was posted to it fails now, and the
   * next statement starts another.
   */
  #discardWorker(detail: string, stop: boolean) {
    const worker = this.#worker;
    if (!worker) return;
    this.#worker = undefined;
    this.#starting = undefined;
    const generation = this.#generation;
    log(UNCONFIGURED, 'warn', 'embedded database worker stopped; starting a new one', {
      reason: detail,
    });
    const error = this.#crashError(detail);
    const inFlight = this.#inFlight;
    this.#inFlight = new Map();
    for (const waiting of inFlight.values()) waiting.reject(error);
    const tx = this.#tx;
    if (tx && tx.generation === generation) this.#breakTransaction(tx, error);
    if (stop) void worker.terminate();
    // Start the next worker now, so that it opens while nothing waits for it yet.
    void this.#running().catch(() => {});
  }

  /** The running worker, started again when it stopped. */
  #running(): Promise<Worker> {
    if (this.#closing) return Promise.reject(this.#closedError());
    if (this.#worker) return Promise.resolve(this.#worker);
    const failure = this.#lastStartFailure;
    if (!this.#starting && failure && performance.now() - failure.at < RESTART_BACKOFF_MS)
      return Promise.reject(failure.error);
    this.#starting ??= this.#spawn().catch((error: unknown) => {
      const wrapped = unavailable(
        `connection refused: the embedded database could not be started again: ${(error as Error).message}`,
        undefined,
        error,
      );
      this.#starting = undefined;
      this.#lastStartFailure = { error: wrapped, at: performance.now() };
      throw wrapped;
    });
    return this.#starting;
  }

  /** Starts a worker on the directory; resolves once PGlite is open in it. */
  #spawn(): Promise<Worker> {
    return new Promise((resolve, reject) => {
      const start: WorkerStart = { dataDir: this.#dataDir };
      const worker = FROM_SOURCE
        ? new Worker(SOURCE_BOOTSTRAP, { eval: true, workerData: start })
        : new Worker(new URL('./pglite-worker.ts', import.meta.url), { workerData: start });
      const generation = ++this.#generation;
      let ready = false;
      let failure: Error | undefined;
      worker.on('message', (reply: WorkerReply) => {
        if (ready) return this.#onReply(worker, reply);
        if ('failed' in reply) {
          failure = reviveError(reply.failed);
          void worker.terminate();
        } else if ('ready' in reply) {
          ready = true;
          this.#worker = worker;
          this.#lastStartFailure = undefined;
          if (this.#inFlight.size === 0) worker.unref();
          resolve(worker);
        }
      });
      worker.on('error', (error) => {
        failure ??= error;
      });
      worker.once('exit', (code) => {
        if (!ready) {
          reject(
            failure ??
              new Error(`the embedded database's worker exited (code ${code}) while opening`),
          );
          return;
        }
        if (this.#worker === worker && generation === this.#generation && !this.#closing)
          this.#discardWorker(
            failure ? `${failure.name}: ${failure.message}` : `exit code ${code}`,
            false,
          );
      });
    });
  }

  async #shutdown() {
    try {
      const worker = this.#worker ?? (await this.#starting?.catch(() => undefined));
      if (!worker) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      // After the statements already posted; the worker exits once PGlite is closed.
      worker.postMessage({ id: this.#nextId++, close: true } satisfies WorkerRequest);
      worker.ref();
      const grace = setTimeout(() => void worker.terminate(), Math.max(this.#deadlineMs, 5_000));
      await exited;
      clearTimeout(grace);
    } finally {
      this.#worker = undefined;
      clearTimeout(this.#watchdog);
      const closed = this.#closedError();
      for (const waiting of this.#inFlight.values()) waiting.reject(closed);
      this.#inFlight.clear();
      if (this.#tx) this.#breakTransaction(this.#tx, closed);
      this.#releaseLock();
    }
  }
}

/** The request for one statement, with Drizzle's text-keeping parsers as type numbers. */
function statement(
  text: string,
  params: unknown[],
  options?: HostQueryOptions,
): Omit<StatementRequest, 'id'> {
  const body: Omit<StatementRequest, 'id'> = { text, params };
  if (!options) return body;
  const { rowMode, parsers, paramTypes, ...rest } = options;
  const unsupported = Object.keys(rest);
  if (unsupported.length > 0)
    throw new TypeError(`the embedded database's worker does not take ${unsupported.join(', ')}`);
  if (rowMode) body.rowMode = rowMode;
  if (parsers) body.textTypes = Object.keys(parsers).map(Number);
  if (paramTypes) body.paramTypes = paramTypes;
  return body;
}

/**
 * Outside Next's server (the CLI under tsx, the test suites under vitest) the worker's module is
 * TypeScript, which Node 20 does not run, and a worker inherits neither tsx's loader hooks nor
 * vitest's: the worker then starts with a line that registers tsx's loader and imports the module
 * (`tsx` resolved from the working directory, the project's root, as `drizzle/` is). Inside Next's
 * server (NEXT_RUNTIME is set, in `next start` and `next dev` alike) the bundler has compiled
 * pglite-worker.ts into a chunk of its own, which `new Worker(new URL(…))` loads. (The test is not
 * on `import.meta.url`: Turbopack keeps the source's `.ts` name there.)
 */
const FROM_SOURCE = !process.env.NEXT_RUNTIME;
const SOURCE_BOOTSTRAP = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(
  import.meta.url.replace(/pglite-host\.ts$/, 'pglite-worker.ts'),
)}); })`;
