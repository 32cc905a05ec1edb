/** Options for {@link respond}. */
export interface RespondOptions {
  status?: number;
  cookies?: string[];
  headers?: Record<string, string>;
}

/**
 * The one way handlers answer: JSON, `Cache-Control: no-store` (answers may carry tokens), and
 * the `Set-Cookie` values given.
 */
export function respond(
  body: unknown,
  { status = 200, cookies = [], headers = {} }: RespondOptions = {},
): Response {
  const result = new Headers({
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    ...headers,
  });
  for (const cookie of cookies) result.append('Set-Cookie', cookie);
  return new Response(JSON.stringify(body), { status, headers: result });
}
