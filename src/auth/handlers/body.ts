import { InvalidRequest, PayloadTooLarge, RequestTimeout, UnsupportedMediaType } from '../errors';

/**
 * How long a body may take to arrive, from the handler's first read to its last byte. Node's own
 * requestTimeout (300 s) lets a client that trickles a byte now and then hold a request, its
 * buffers and a connection for minutes; thousands of them are a cheap denial of service. Every
 * body the kit accepts is at most maxBodyBytes (16 KiB by default), which even a poor mobile link
 * sends well within this.
 */
export const BODY_DEADLINE_MS = 5_000;

function isJson(contentType: string | null): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json';
}

/**
 * Reads the body within `maxBytes` and {@link BODY_DEADLINE_MS}, stopping as soon as either is
 * passed (a chunked body cannot make us buffer it all, a trickled one cannot hold us). With
 * `refuseContent`, the first non-empty chunk is refused with 415 before anything more is read.
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
  // One timer for the whole body, each read raced against it (not a timer per chunk).
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RequestTimeout()), BODY_DEADLINE_MS);
  });
  expired.catch(() => {}); // a body that arrived in time leaves it unawaited
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await Promise.race([reader.read(), expired]);
      } catch (error) {
        // Not awaited: a stalled client must not hold the answer while its stream winds down.
        void reader.cancel().catch(() => {});
        throw error;
      }
      const { done, value } = chunk;
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
  } finally {
    clearTimeout(timer);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a JSON request body within the size limit: 415 for a non-empty body that is not
 * application/json (before it is read), 413 over the limit, 408 when it takes longer than
 * {@link BODY_DEADLINE_MS} to arrive, 400 for bytes that are not UTF-8 JSON. An empty body is `{}`.
 * @throws UnsupportedMediaType, PayloadTooLarge, RequestTimeout or InvalidRequest.
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
    text = strictUtf8.decode(bytes);
  } catch {
    throw new InvalidRequest('The request body is not valid UTF-8.');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidRequest('The request body is not valid JSON.');
  }
}
