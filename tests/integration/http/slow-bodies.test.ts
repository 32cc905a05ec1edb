import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_DEADLINE_MS } from '@/auth/handlers/body';
import { type KitServer } from '../../support/kit-servers';
import { expectNoStackTrace } from '../../support/assertions';
import { PATHS, startWarmKit } from '../../support/requests';

/** Time allowed past the deadline for the answer to arrive on a busy machine. */
const MARGIN_MS = 3_000;

interface TrickleResult {
  /** The raw answer (head and body), as far as it came. */
  answer: string;
  /** Milliseconds from the request head to the first byte of the answer. */
  answeredAfterMs: number | null;
  /** Whether the server closed the connection after answering. */
  closed: boolean;
}

/**
 * Sends a POST head announcing a JSON body, then trickles the body a byte every `everyMs`, as a
 * slow-loris client would, until the server answers or `giveUpMs` passes.
 */
function trickle(port: number, path: string, everyMs: number, giveUpMs: number) {
  return new Promise<TrickleResult>((resolve) => {
    const body = JSON.stringify({ username: 'slow', password: 'x'.repeat(200) });
    const socket = net.connect(port, '127.0.0.1');
    const started = Date.now();
    let answer = '';
    let answeredAfterMs: number | null = null;
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < body.length && !socket.destroyed) socket.write(body[sent++]!);
    }, everyMs);
    const finish = (closed: boolean) => {
      clearInterval(timer);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ answer, answeredAfterMs, closed });
    };
    const giveUp = setTimeout(() => finish(false), giveUpMs);
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      answeredAfterMs ??= Date.now() - started;
      answer += chunk.toString('utf8');
    });
    socket.on('close', () => finish(true));
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
  });
}

describe('slow request bodies over next start', () => {
  let kit: KitServer | null = null;

  beforeAll(async () => {
    kit = await startWarmKit('pglite');
  });
  afterAll(async () => {
    await kit?.stop();
  });

  it('answers a body trickled a byte every 500 ms with 408 request_timeout within the deadline, and closes the connection', async (context) => {
    if (!kit) return context.skip('no server');
    const result = await trickle(kit.port, PATHS.signIn, 500, BODY_DEADLINE_MS + 20_000);
    expect(result.answeredAfterMs).not.toBeNull();
    expect(result.answeredAfterMs!).toBeLessThan(BODY_DEADLINE_MS + MARGIN_MS);
    expect(result.answeredAfterMs!).toBeGreaterThanOrEqual(BODY_DEADLINE_MS - 100);
    const [head, ...rest] = result.answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 408 /);
    expect(head).toMatch(/\r\ncontent-type: application\/json/i);
    const text = rest.join('\r\n\r\n');
    const json = text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1);
    expect(JSON.parse(json)).toEqual({ detail: expect.any(String), code: 'request_timeout' });
    expectNoStackTrace(text);
    expect(result.closed).toBe(true);
  }, 40_000);
});
