/**
 * The embedded database's worker thread: PGlite runs here, off the server's event loop, and
 * answers the statements pglite-host.ts sends, one at a time and in the order they arrive (PGlite
 * is one connection: the host keeps a transaction's statements together). Started with the data
 * directory in `workerData`; the host already holds the directory's lock.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parse, protocol, type PGlite, type QueryOptions } from '@electric-sql/pglite';
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

/** The named statements this connection has parsed, with their text. */
const prepared = new Map<string, string>();

/** Values the text format carries as they are (the kit's prepared statements bind only these). */
type TextValue = string | number | bigint | boolean | null;
const asText = (value: unknown): value is TextValue =>
  value === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof value);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((size, part) => size + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * A named statement over the extended protocol: Parse once per name (PostgreSQL plans it then,
 * and re-plans by itself after a schema change), then Bind, Describe, Execute and Sync each time.
 * PGlite's query() parses and plans every call, which for the session read costs more than
 * running it. The rows come out through PGlite's own parsers, as query() gives them.
 */
async function runNamed(
  pg: PGlite,
  name: string,
  text: string,
  params: TextValue[],
): Promise<StatementResult> {
  const { serialize } = protocol;
  if (!prepared.has(name)) {
    await pg.execProtocol(concat([serialize.parse({ name, text }), serialize.sync()]));
    prepared.set(name, text);
  }
  const values = params.map((value) => (value === null ? null : String(value)));
  const { messages } = await pg.execProtocol(
    concat([
      serialize.bind({ statement: name, values }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.sync(),
    ]),
  );
  const [result] = parse.parseResults(messages, pg.parsers);
  return {
    rows: result?.rows ?? [],
    affectedRows: result?.affectedRows,
    fields: (result?.fields ?? []).map(({ name, dataTypeID }) => ({ name, dataTypeID })),
  };
}

async function run(pg: PGlite, request: StatementRequest): Promise<StatementResult> {
  const { name } = request;
  // A name that came with another text would run the wrong statement: that one goes unnamed.
  if (name && (prepared.get(name) ?? request.text) === request.text && request.params.every(asText))
    return runNamed(pg, name, request.text, request.params as TextValue[]);
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
