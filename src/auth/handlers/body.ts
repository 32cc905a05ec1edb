import { InvalidRequest, PayloadTooLarge, UnsupportedMediaType } from '../errors';

function isJson(contentType: string | null): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json';
}

async function readBounded(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw new PayloadTooLarge();
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    // Stop reading as soon as the limit is passed: a chunked body cannot make us buffer it all.
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new PayloadTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads a JSON request body within the size limit: 415 for a non-empty body that is not
 * application/json, 413 over the limit, 400 for bytes that are not UTF-8 JSON. An empty body is `{}`.
 * @throws UnsupportedMediaType, PayloadTooLarge or InvalidRequest.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const json = isJson(request.headers.get('content-type'));
  if (!json && Number(request.headers.get('content-length') ?? 0) > 0) throw new UnsupportedMediaType();
  const bytes = await readBounded(request, maxBytes);
  if (bytes.byteLength === 0) return {};
  if (!json) throw new UnsupportedMediaType();
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InvalidRequest('The request body is not valid UTF-8.');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidRequest('The request body is not valid JSON.');
  }
}
