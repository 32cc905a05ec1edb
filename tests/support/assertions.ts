/** Assertions on the kit's error answers. */
import { expect } from 'vitest';

/**
 * Asserts an error answer: the status, the code, and the exact body shape `{ detail, code }`
 * (plus `errors` for field errors, when `fieldErrors` is true), with no stack trace anywhere.
 * @returns the parsed body.
 */
export async function expectError(
  response: Response,
  status: number,
  code: string,
  { fieldErrors = false }: { fieldErrors?: boolean } = {},
): Promise<{ detail: string; code: string; errors?: Record<string, string[]> }> {
  const text = await response.text();
  expect({ status: response.status, text }).toMatchObject({ status });
  expect(response.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  const body = JSON.parse(text) as {
    detail: string;
    code: string;
    errors?: Record<string, string[]>;
  };
  expect(body.code).toBe(code);
  expect(typeof body.detail).toBe('string');
  expect(body.detail.length).toBeGreaterThan(0);
  if (fieldErrors) {
    expect(Object.keys(body).sort()).toEqual(['code', 'detail', 'errors']);
    expect(typeof body.errors).toBe('object');
    for (const messages of Object.values(body.errors ?? {})) {
      expect(Array.isArray(messages)).toBe(true);
      for (const message of messages) expect(typeof message).toBe('string');
    }
  } else {
    expect(
      Object.keys(body)
        .filter((key) => key !== 'errors')
        .sort(),
    ).toEqual(['code', 'detail']);
  }
  expectNoStackTrace(text);
  return body;
}

/** Fails when a text looks like it carries a stack trace or source paths. */
export function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(
    /\bat [\w$.<>]+ \(|\n\s+at |node_modules|\.tsx?:\d+|\.m?js:\d+|webpack|turbopack/i,
  );
}
