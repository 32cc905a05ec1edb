import net from 'node:net';

/** Options for {@link startTcpProxy}. */
export interface TcpProxyOptions {
  targetHost: string;
  targetPort: number;
  /** Port to listen on (127.0.0.1); 0 (the default) picks a free one. */
  listenPort?: number;
}

/** A running TCP proxy that can sever its connections on demand. */
export interface TcpProxy {
  /** The port the proxy listens on, on 127.0.0.1. */
  port: number;
  /** Rewrites the host:port of a postgres URL so it goes through the proxy. */
  url(databaseUrl: string): string;
  /** Resets every open connection and refuses new ones until {@link TcpProxy.restore}. */
  cut(): void;
  /**
   * Stops forwarding bytes, in both directions, on every connection, open or new (new ones are
   * accepted): a network that silently drops traffic, with no error and no reset. What is sent
   * meanwhile is held and delivered by {@link TcpProxy.restore}; so is a close: a peer that
   * hangs up during the stall (PostgreSQL ending an idle transaction) is not heard of until then.
   */
  stall(): void;
  /** Accepts and forwards new connections again after {@link TcpProxy.cut}; ends a stall. */
  restore(): void;
  /**
   * The names of the extended-protocol Parse messages clients sent so far (PostgreSQL wire
   * protocol: `''` for an unnamed statement), in order.
   */
  parsedStatements(): string[];
  /** Resets every connection and stops listening. */
  close(): Promise<void>;
  /** How many client connections are currently forwarded. */
  connections(): number;
  /**
   * Stalls the client-to-server direction of every connection, open or new (the statements the
   * kit sends are held; answers already on their way still arrive), until `release()`.
   */
  stallRequests(): StalledRequests;
}

/** The held traffic of {@link TcpProxy.stallRequests}. */
export interface StalledRequests {
  /**
   * Forwards what was held, one connection at a time in the order their first held bytes came
   * in, `gapMs` apart (so the database sees the stalled statements in that order), then resumes.
   */
  release(gapMs?: number): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  /** Client bytes held while requests are stalled. */
  held: Buffer[];
}

/**
 * Reads the PostgreSQL frontend messages of one connection as they pass, reporting the statement
 * name of each Parse ('P') message. The first message (start-up, or an SSL/GSS request followed
 * by the start-up) has no type byte; every later one is type, Int32 length, body.
 */
function parseSniffer(onParse: (name: string) => void): (chunk: Buffer) => void {
  let buffered = Buffer.alloc(0);
  let startup = true;
  return (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      if (startup) {
        if (buffered.length < 8) return;
        const length = buffered.readInt32BE(0);
        if (buffered.length < length) return;
        const code = buffered.readInt32BE(4);
        // SSLRequest / GSSENCRequest: the real start-up message follows (pg here sends none).
        startup = code === 80877103 || code === 80877104;
        buffered = buffered.subarray(length);
        continue;
      }
      if (buffered.length < 5) return;
      const length = buffered.readInt32BE(1);
      if (buffered.length < 1 + length) return;
      if (buffered[0] === 0x50) {
        const body = buffered.subarray(5, 1 + length);
        onParse(body.subarray(0, body.indexOf(0)).toString('utf8'));
      }
      buffered = buffered.subarray(1 + length);
    }
  };
}

// A reset (RST) makes the peer fail immediately with ECONNRESET instead of waiting on a half-open socket.
function reset(socket: net.Socket): void {
  if (socket.destroyed) return;
  if (socket.connecting) socket.destroy();
  else socket.resetAndDestroy();
}

/** Starts a TCP proxy on 127.0.0.1 forwarding to targetHost:targetPort. */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const { targetHost, targetPort, listenPort = 0 } = options;
  const pairs = new Set<Pair>();
  const parsed: string[] = [];
  let isCut = false;
  let isStalled = false;
  // What was sent during a stall, in order, for restore() to deliver: bytes, or a hang-up.
  let held: ({ to: net.Socket; chunk: Buffer } | { hangUp: Pair })[] = [];
  // While requests are stalled: the pairs holding client bytes, in the order their first byte was held.
  let stalled: Pair[] | null = null;

  const write = (from: net.Socket, to: net.Socket, chunk: Buffer): void => {
    if (isStalled) held.push({ to, chunk });
    else if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  };

  const dropAll = (): void => {
    for (const pair of pairs) {
      reset(pair.client);
      reset(pair.upstream);
    }
    pairs.clear();
  };

  const server = net.createServer((client) => {
    client.on('error', () => {});
    if (isCut) {
      reset(client);
      return;
    }
    const upstream = net.connect({ host: targetHost, port: targetPort });
    upstream.on('error', () => {});
    const pair: Pair = { client, upstream, held: [] };
    pairs.add(pair);
    const teardown = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    // A hang-up during a stall reaches the other side only when the stall ends, as bytes do.
    const onClose = (): void => {
      if (isStalled) held.push({ hangUp: pair });
      else teardown();
    };
    client.on('close', onClose);
    upstream.on('close', onClose);
    const sniff = parseSniffer((name) => parsed.push(name));
    client.on('data', (chunk: Buffer) => {
      sniff(chunk);
      if (stalled && !isStalled) {
        if (pair.held.length === 0) stalled.push(pair);
        pair.held.push(chunk);
      } else write(client, upstream, chunk);
    });
    upstream.on('data', (chunk: Buffer) => write(upstream, client, chunk));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('tcp proxy: no TCP address');
  const port = address.port;

  return {
    port,
    url(databaseUrl) {
      const url = new URL(databaseUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    cut() {
      isCut = true;
      dropAll();
    },
    stall() {
      isStalled = true;
    },
    restore() {
      isCut = false;
      isStalled = false;
      for (const item of held) {
        // end(), not destroy(): the bytes held before the hang-up are flushed first.
        if ('hangUp' in item) {
          item.hangUp.client.end();
          item.hangUp.upstream.end();
        } else if (!item.to.destroyed) item.to.write(item.chunk);
      }
      held = [];
    },
    parsedStatements: () => [...parsed],
    close() {
      isCut = true;
      dropAll();
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
      });
    },
    connections: () => pairs.size,
    stallRequests() {
      const order: Pair[] = [];
      stalled = order;
      return {
        async release(gapMs = 0) {
          for (const [i, pair] of order.entries()) {
            if (i > 0 && gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
            for (const chunk of pair.held.splice(0)) pair.upstream.write(chunk);
          }
          // Bytes that came in during the gaps, then back to forwarding as they arrive.
          for (const pair of order)
            for (const chunk of pair.held.splice(0)) pair.upstream.write(chunk);
          stalled = null;
        },
      };
    },
  };
}
