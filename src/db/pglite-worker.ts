/**
 * The embedded database's worker thread: PGlite runs here, off the server's event loop, and
 * answers the statements pglite-host.ts sends, one at a time and in the order they arrive (PGlite
 * is one connection: the host keeps a transaction's statements together). Started with the data
 * directory in `workerData`; the host already holds the directory's lock.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PGlite, QueryOptions } from '@electric-sql/pglite';
import { openPglite } from './pglite';
import {
  serializeError,
  type StatementRequest,
  type StatementResult,
  type WorkerReply,
  type WorkerRequest,
  type WorkerStart,
} from './pglite-protocol';

const port = parentPort!;
const post = (reply: WorkerReply) => port.postMessage(reply);

/** The parsers that keep a type's values as text (the only ones Drizzle's driver passes). */
function textParsers(types: number[]): QueryOptions['parsers'] {
  return Object.fromEntries(types.map((type) => [type, (value: string) => value]));
}

async function run(pg: PGlite, request: StatementRequest): Promise<StatementResult> {
  const options: QueryOptions = {};
  if (request.rowMode) options.rowMode = request.rowMode;
  if (request.textTypes) options.parsers = textParsers(request.textTypes);
  if (request.paramTypes) options.paramTypes = request.paramTypes;
  const { rows, affectedRows, fields } = await pg.query(request.text, request.params, options);
  return {
    rows,
    affectedRows,
    fields: fields.map(({ name, dataTypeID }) => ({ name, dataTypeID })),
  };
}

async function main() {
  let pg: PGlite;
  try {
    pg = await openPglite((workerData as WorkerStart).dataDir);
  } catch (error) {
    post({ failed: serializeError(error) });
    return;
  }
  /** Answers one request; a reply that cannot cross the port becomes that request's error. */
  const answer = async (request: WorkerRequest) => {
    try {
      if ('close' in request) {
        await pg.close();
        post({ id: request.id, result: { rows: [], fields: [] } });
        port.close(); // nothing else keeps the worker alive: it exits
        return;
      }
      post({ id: request.id, result: await run(pg, request) });
    } catch (error) {
      post({ id: request.id, error: serializeError(error) });
    }
  };
  let queue = Promise.resolve();
  port.on('message', (request: WorkerRequest) => {
    queue = queue.then(() => answer(request));
  });
  post({ ready: true });
}

void main();
