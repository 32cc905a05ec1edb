import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { neonConfig } from '@neondatabase/serverless';
import WebSocket, { WebSocketServer } from 'ws';

/** A running local stand-in for Neon's WebSocket-to-TCP proxy. */
export interface NeonWsProxy {
  /** The port the proxy listens on, on 127.0.0.1. */
  port: number;
  /** Closes every tunnel and stops listening. */
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/** Parses `?address=host:port` (IPv6 optionally in brackets), returning null unless it is loopback. */
function loopbackTarget(address: string | null): { host: string; port: number } | null {
  if (address === null) return null;
  const colon = address.lastIndexOf(':');
  if (colon <= 0) return null;
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(colon + 1));
  if (!LOOPBACK_HOSTS.has(host) || !Number.isInteger(port) || port < 1 || port > 65535) return null;
  return { host, port };
}

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Starts a WebSocket server on 127.0.0.1 that tunnels `/v2?address=host:port` to loopback TCP. */
export async function startNeonWsProxy(
  options: { listenPort?: number } = {},
): Promise<NeonWsProxy> {
  const wss = new WebSocketServer({ noServer: true });
  const tunnels = new Set<net.Socket>();
  const server = http.createServer((_req, res) => res.writeHead(426).end());

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/v2') return refuse(socket, '404 Not Found');
    const target = loopbackTarget(url.searchParams.get('address'));
    if (target === null) return refuse(socket, '403 Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => tunnel(ws, target));
  });

  function tunnel(ws: WebSocket, target: { host: string; port: number }): void {
    const tcp = net.connect(target);
    tunnels.add(tcp);
    // net.Socket buffers writes made while it is still connecting, so early frames are not lost.
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      tcp.write(Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer));
    });
    tcp.on('data', (chunk) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(chunk, { binary: true });
    });
    ws.on('close', () => tcp.destroy());
    ws.on('error', () => tcp.destroy());
    tcp.on('error', () => ws.terminate());
    tcp.on('close', () => {
      tunnels.delete(tcp);
      if (ws.readyState === WebSocket.OPEN) ws.close();
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listenPort ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('neon ws proxy: no address');

  return {
    port: address.port,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      for (const tcp of tunnels) tcp.destroy();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
      });
    },
  };
}

/** Points the global `neonConfig` at a local proxy from {@link startNeonWsProxy} over plain `ws:`. */
export function configureNeonForLocalProxy(proxyPort: number): void {
  // Node 20 has no global WebSocket.
  neonConfig.webSocketConstructor = WebSocket;
  neonConfig.wsProxy = (host, port) => `127.0.0.1:${proxyPort}/v2?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  // Pipelining assumes cleartext-password auth; the local server uses trust/SCRAM.
  neonConfig.pipelineConnect = false;
}
