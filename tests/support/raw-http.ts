/** HTTP/1.1 on a raw socket, for what fetch hides (connections, chunked bodies). */
import net from 'node:net';

/** An HTTP/1.1 answer read off a raw socket. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One keep-alive TCP connection to a server, for what fetch hides: whether the connection
 * survives an answer. `send` resolves to the next answer, or null when the server closed or reset
 * the connection (or stayed silent for `timeoutMs`).
 */
export async function rawConnection(port: number): Promise<{
  send(request: string | Buffer, timeoutMs?: number): Promise<RawAnswer | null>;
  closedByServer(): boolean;
  close(): void;
}> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let buffer = Buffer.alloc(0);
  let closed = false;
  let wake: (() => void) | null = null;
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    wake?.();
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    closed = true;
    wake?.();
  });

  function tryParse(): RawAnswer | null {
    const end = buffer.indexOf('\r\n\r\n');
    if (end < 0) return null;
    const [statusLine, ...lines] = buffer.subarray(0, end).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const at = line.indexOf(':');
      headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
    }
    let rest = buffer.subarray(end + 4);
    let body: Buffer;
    if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = rest.indexOf('\r\n');
        if (lineEnd < 0) return null;
        const size = parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16);
        if (rest.length < lineEnd + 2 + size + 2) return null;
        if (size === 0) {
          rest = rest.subarray(lineEnd + 4);
          break;
        }
        parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
        rest = rest.subarray(lineEnd + 2 + size + 2);
      }
      body = Buffer.concat(parts);
    } else {
      const length = Number(headers['content-length'] ?? 0);
      if (rest.length < length) return null;
      body = rest.subarray(0, length);
      rest = rest.subarray(length);
    }
    buffer = rest;
    return { status: Number(statusLine!.split(' ')[1]), headers, body: body.toString('utf8') };
  }

  return {
    async send(request, timeoutMs = 5000) {
      if (!closed) socket.write(request);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const answer = tryParse();
        if (answer) return answer;
        if (closed || Date.now() > deadline) return null;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
        wake = null;
      }
    },
    closedByServer: () => closed,
    close: () => socket.destroy(),
  };
}

/** A raw HTTP/1.1 POST of a JSON text, chunked (no Content-Length) or with a Content-Length. */
export function rawJsonPost(
  port: number,
  path: string,
  text: string,
  { chunked = false } = {},
): string {
  const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n`;
  if (!chunked) return `${head}Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += 4096) {
    const part = text.slice(i, i + 4096);
    chunks.push(`${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n`);
  }
  return `${head}Transfer-Encoding: chunked\r\n\r\n${chunks.join('')}0\r\n\r\n`;
}
