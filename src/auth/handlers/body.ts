import { InvalidRequest, PayloadTooLarge, UnsupportedMediaType } from '../errors';

function isJson(contentType: string | null): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json';
}

/**
 * Reads the body within `maxBytes`, stopping as soon as the limit is passed (a chunked body
 * cannot make us buffer it all). With `refuseContent`, the first non-empty chunk is refused with
 * 415 before anything more is read.
 */
async function readBounded(
  request: Request,
  maxBytes: number,
  refuseContent: boolean,
): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (value.byteLength === 0) continue;
    size += value.byteLength;
    const refusal = refuseContent
      ? new UnsupportedMediaType()
      : size > maxBytes
        ? new PayloadTooLarge()
        : null;
    if (refusal) {
      await reader.cancel().catch(() => {});
      throw refusal;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads a JSON request body within the size limit: 415 for a non-empty body that is not
 * application/json (before it is read), 413 over the limit, 400 for bytes that are not UTF-8 JSON.
 * An empty body is `{}`.
 * @throws UnsupportedMediaType, PayloadTooLarge or InvalidRequest.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const json = isJson(request.headers.get('content-type'));
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (!json && declared > 0) throw new UnsupportedMediaType();
  if (declared > maxBytes) throw new PayloadTooLarge();
  const bytes = await readBounded(request, maxBytes, !json);
  if (bytes.byteLength === 0) return {};
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
