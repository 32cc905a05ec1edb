import { createServer } from 'node:http';

/** Serves one JSON document on 127.0.0.1 (a stand-in JWKS endpoint); `set` swaps the document. */
export async function serveJson(
  initial: unknown,
): Promise<{ url: string; set(doc: unknown): void; hits(): number; close(): Promise<void> }> {
  let doc = initial;
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(doc));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    set: (next) => (doc = next),
    hits: () => hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
