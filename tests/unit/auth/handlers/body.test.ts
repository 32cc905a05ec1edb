import { describe, expect, it } from 'vitest';
import { readJsonBody } from '@/auth/handlers/body';

const URL = 'http://localhost:3000/auth/sign-in/';
const LIMIT = 16 * 1024;
const JSON_TYPE = { 'content-type': 'application/json' };

function post(body: BodyInit | null, headers: Record<string, string> = JSON_TYPE): Request {
  return new Request(URL, { method: 'POST', body, headers });
}

/** A body streamed in chunks with no Content-Length, as with `Transfer-Encoding: chunked`. */
function streamed(chunks: Uint8Array[], headers: Record<string, string> = JSON_TYPE): Request {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  return new Request(URL, { method: 'POST', body: stream, headers, duplex: 'half' } as RequestInit);
}

/** A body that never ends; records whether the reader cancelled it. */
function endless(headers: Record<string, string> = JSON_TYPE): {
  request: Request;
  cancelled: () => boolean;
} {
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(new TextEncoder().encode(' '.repeat(1024)));
    },
    cancel() {
      cancelled = true;
    },
  });
  const request = new Request(URL, {
    method: 'POST',
    body: stream,
    headers,
    duplex: 'half',
  } as RequestInit);
  return { request, cancelled: () => cancelled };
}

const UNSUPPORTED = { code: 'unsupported_media_type', status: 415 };
const TOO_LARGE = { code: 'payload_too_large', status: 413 };
const INVALID = { code: 'invalid_request', status: 400 };

describe('readJsonBody', () => {
  it('parses a JSON object', async () => {
    expect(await readJsonBody(post('{"username":"admin","password":"admin"}'), LIMIT)).toEqual({
      username: 'admin',
      password: 'admin',
    });
  });

  it('accepts application/json with a charset parameter', async () => {
    expect(
      await readJsonBody(
        post('{"a":1}', { 'content-type': 'application/json; charset=utf-8' }),
        LIMIT,
      ),
    ).toEqual({ a: 1 });
  });

  it('accepts the media type in any case', async () => {
    expect(
      await readJsonBody(post('{"a":1}', { 'content-type': 'Application/JSON' }), LIMIT),
    ).toEqual({ a: 1 });
  });

  it('returns non-object JSON as is, for the schema to refuse', async () => {
    expect(await readJsonBody(post('[1,2]'), LIMIT)).toEqual([1, 2]);
  });

  it('reads a body streamed in several chunks', async () => {
    const encoder = new TextEncoder();
    expect(
      await readJsonBody(streamed([encoder.encode('{"a":'), encoder.encode('"é"}')]), LIMIT),
    ).toEqual({ a: 'é' });
  });

  it('reads a multi-byte character split across chunks', async () => {
    const bytes = new TextEncoder().encode('{"a":"é"}');
    expect(await readJsonBody(streamed([bytes.slice(0, 7), bytes.slice(7)]), LIMIT)).toEqual({
      a: 'é',
    });
  });

  describe('an empty body', () => {
    it('is {} without a body', async () => {
      expect(await readJsonBody(new Request(URL, { method: 'POST' }), LIMIT)).toEqual({});
    });

    it('is {} with Content-Type application/json and no bytes', async () => {
      expect(await readJsonBody(post(''), LIMIT)).toEqual({});
    });

    it('is {} with another Content-Type and no bytes', async () => {
      expect(
        await readJsonBody(
          new Request(URL, { method: 'POST', headers: { 'content-type': 'text/plain' } }),
          LIMIT,
        ),
      ).toEqual({});
    });

    it('is {} with Content-Length 0 and no Content-Type', async () => {
      expect(
        await readJsonBody(
          new Request(URL, { method: 'POST', headers: { 'content-length': '0' } }),
          LIMIT,
        ),
      ).toEqual({});
    });
  });

  describe('a body that is not application/json', () => {
    it('is refused with 415 for text/plain', async () => {
      await expect(
        readJsonBody(post('{"a":1}', { 'content-type': 'text/plain' }), LIMIT),
      ).rejects.toMatchObject(UNSUPPORTED);
    });

    it('is refused with 415 for a form', async () => {
      const form = post('username=admin&password=admin', {
        'content-type': 'application/x-www-form-urlencoded',
      });
      await expect(readJsonBody(form, LIMIT)).rejects.toMatchObject(UNSUPPORTED);
    });

    it('is refused with 415 without a Content-Type', async () => {
      await expect(
        readJsonBody(post(new TextEncoder().encode('{"a":1}'), {}), LIMIT),
      ).rejects.toMatchObject(UNSUPPORTED);
    });

    it('is refused with 415 for a look-alike media type', async () => {
      await expect(
        readJsonBody(post('{"a":1}', { 'content-type': 'application/jsonp' }), LIMIT),
      ).rejects.toMatchObject(UNSUPPORTED);
    });

    it('is refused with 415 before the body is read when Content-Length is given', async () => {
      const request = post('{"a":1}', { 'content-type': 'text/plain', 'content-length': '7' });
      await expect(readJsonBody(request, LIMIT)).rejects.toMatchObject(UNSUPPORTED);
      expect(request.bodyUsed).toBe(false);
    });

    it('is refused with 415 rather than 413 when it is also over the limit', async () => {
      const request = post('x'.repeat(LIMIT + 1), {
        'content-type': 'text/plain',
        'content-length': String(LIMIT + 1),
      });
      await expect(readJsonBody(request, LIMIT)).rejects.toMatchObject(UNSUPPORTED);
    });

    it('is refused with 415 rather than 413 when streamed over the limit without Content-Length', async () => {
      const { request } = endless({ 'content-type': 'text/plain' });
      await expect(readJsonBody(request, LIMIT)).rejects.toMatchObject(UNSUPPORTED);
    });
  });

  describe('a body over the limit', () => {
    it('is refused with 413 from its Content-Length', async () => {
      const request = post('{}', { ...JSON_TYPE, 'content-length': String(LIMIT + 1) });
      await expect(readJsonBody(request, LIMIT)).rejects.toMatchObject(TOO_LARGE);
    });

    it('is refused from its Content-Length before the body is read', async () => {
      const request = post('{}', { ...JSON_TYPE, 'content-length': String(LIMIT + 1) });
      await expect(readJsonBody(request, LIMIT)).rejects.toMatchObject(TOO_LARGE);
      expect(request.bodyUsed).toBe(false);
    });

    it('is refused with 413 when streamed in chunks without Content-Length', async () => {
      const chunk = new TextEncoder().encode(' '.repeat(4096));
      await expect(
        readJsonBody(streamed([chunk, chunk, chunk, chunk, new Uint8Array([0x20])]), LIMIT),
      ).rejects.toMatchObject(TOO_LARGE);
    });

    it('is refused with 413 when it is bigger than its declared Content-Length', async () => {
      const request = post(`{"a":"${'x'.repeat(LIMIT)}"}`, {
        ...JSON_TYPE,
        'content-length': '10',
      });
      await expect(readJsonBody(request, LIMIT)).rejects.toMatchObject(TOO_LARGE);
    });

    it('stops reading an endless body and cancels it', async () => {
      const { request, cancelled } = endless();
      await expect(readJsonBody(request, LIMIT)).rejects.toMatchObject(TOO_LARGE);
      expect(cancelled()).toBe(true);
    });

    it('accepts a body of exactly the limit', async () => {
      const body = `{"a":"${'x'.repeat(LIMIT - 8)}"}`;
      expect(body.length).toBe(LIMIT);
      expect(await readJsonBody(post(body), LIMIT)).toEqual({ a: 'x'.repeat(LIMIT - 8) });
    });

    it('is refused one byte past the limit', async () => {
      await expect(
        readJsonBody(post(`{"a":"${'x'.repeat(LIMIT - 7)}"}`), LIMIT),
      ).rejects.toMatchObject(TOO_LARGE);
    });

    it('counts bytes, not characters', async () => {
      const body = `{"a":"${'é'.repeat(LIMIT / 2)}"}`;
      expect(body.length).toBeLessThan(LIMIT);
      await expect(readJsonBody(post(body), LIMIT)).rejects.toMatchObject(TOO_LARGE);
    });
  });

  describe('a body that is not UTF-8 JSON', () => {
    it('is refused with 400 for invalid UTF-8', async () => {
      const bytes = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"a":"\xff\xfe"}
      await expect(readJsonBody(post(bytes), LIMIT)).rejects.toMatchObject(INVALID);
    });

    it('is refused with 400 for an overlong UTF-8 encoding', async () => {
      const bytes = new Uint8Array([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d]);
      await expect(readJsonBody(post(bytes), LIMIT)).rejects.toMatchObject(INVALID);
    });

    it.each([
      ['truncated JSON', '{"username":'],
      ['a trailing comma', '{"a":1,}'],
      ['single quotes', "{'a':1}"],
      ['plain text', 'hello'],
      ['whitespace only', '   '],
    ])('is refused with 400 for %s', async (_name, body) => {
      await expect(readJsonBody(post(body), LIMIT)).rejects.toMatchObject(INVALID);
    });
  });
});
