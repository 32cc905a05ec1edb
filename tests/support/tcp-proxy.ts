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
  /** Accepts and forwards new connections again after {@link TcpProxy.cut}. */
  restore(): void;
  /** Resets every connection and stops listening. */
  close(): Promise<void>;
  /** How many client connections are currently forwarded. */
  connections(): number;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
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
  let isCut = false;

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
    const pair: Pair = { client, upstream };
    pairs.add(pair);
    const teardown = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', teardown);
    upstream.on('close', teardown);
    client.pipe(upstream);
    upstream.pipe(client);
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
    restore() {
      isCut = false;
    },
    close() {
      isCut = true;
      dropAll();
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
      });
    },
    connections: () => pairs.size,
  };
}
