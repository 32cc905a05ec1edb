import http from 'node:http';
import zlib from 'node:zlib';

/**
 * A raw HTTP client for the fuzz suites. node:http rather than fetch: fetch refuses methods such
 * as TRACE, rewrites some headers and cannot send duplicated ones, and the fuzzers need all three.
 */

/** One request as a fuzz case describes it. A header given as an array is sent once per value. */
export interface FuzzRequest {
  method: string;
  path: string;
  headers?: Record<string, string | string[]>;
  /** Absent: no body (POST then goes out chunked with no chunks). */
  body?: Uint8Array;
}

/** What came back. */
export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  setCookies: string[];
  text: string;
}

/** Undoes the Content-Encoding a fuzzed Accept-Encoding may have asked for. */
function decode(body: Buffer, encoding: string | undefined): Buffer {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(body);
    case 'deflate':
      return zlib.inflateSync(body);
    case 'br':
      return zlib.brotliDecompressSync(body);
    default:
      return body;
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

function once(port: number, request: FuzzRequest, reuse: boolean): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = { ...request.headers };
    if (request.body) headers['content-length'] = String(request.body.byteLength);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: request.method,
        path: request.path,
        headers,
        agent: reuse ? agent : false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const setCookie = res.headers['set-cookie'];
          try {
            const body = decode(Buffer.concat(chunks), res.headers['content-encoding']);
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              setCookies: setCookie ?? [],
              text: body.toString('utf8'),
            });
          } catch (error) {
            reject(
              new Error(
                `undecodable ${res.headers['content-encoding']} body: ${(error as Error).message}`,
              ),
            );
          }
        });
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error('no answer within 60 s')));
    req.on('error', reject);
    req.end(request.body ? Buffer.from(request.body) : undefined);
  });
}

/**
 * Sends one request to the kit on 127.0.0.1:`port`. A connection the server closed while idle
 * (ECONNRESET / EPIPE before any answer) is retried once on a fresh connection; any other
 * transport failure is a finding and rethrown with the request it happened to.
 */
export async function send(port: number, request: FuzzRequest): Promise<Reply> {
  try {
    return await once(port, request, true);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ECONNRESET' || code === 'EPIPE') {
      try {
        return await once(port, request, false);
      } catch (second) {
        throw new Error(
          `transport failure (${(second as Error).message}) for ${describeRequest(request)}`,
        );
      }
    }
    throw new Error(
      `transport failure (${(error as Error).message}) for ${describeRequest(request)}`,
    );
  }
}

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;
}

/** A readable one-request summary for failure messages (long values clipped). */
export function describeRequest(request: FuzzRequest): string {
  const headers = Object.entries(request.headers ?? {})
    .map(([name, value]) => `${name}: ${clip(JSON.stringify(value), 400)}`)
    .join('\n    ');
  const body = request.body
    ? clip(JSON.stringify(Buffer.from(request.body).toString('latin1')), 600)
    : '(none)';
  return `${request.method} ${request.path}\n    ${headers}\n    body (${request.body?.byteLength ?? 0} bytes, latin1): ${body}`;
}

/** A readable summary of an answer. */
export function describeReply(reply: Reply): string {
  return `${reply.status} set-cookie=${JSON.stringify(reply.setCookies.map((c) => clip(c, 120)))} body=${clip(reply.text, 500)}`;
}

/** UTF-8 bytes of a string (lone surrogates become U+FFFD, as any UTF-8 encoder does). */
export const utf8 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'));

/** A JSON body. */
export const jsonBytes = (value: unknown): Uint8Array => utf8(JSON.stringify(value));
