import { DrizzleQueryError } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { describeError } from '@/db/errors';

const SECRET = 'argon2$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$secret-hash-value';

/**
 * Drizzle's DrizzleQueryError as a second copy of drizzle-orm defines it: inside the Next server
 * each route bundle has its own copy, so the error the database throws is not an instance of the
 * class the logging module imported. Same shape, another class.
 */
class OtherCopyQueryError extends Error {
  constructor(
    public query: string,
    public params: unknown[],
    cause: unknown,
  ) {
    super(`Failed query: ${query}\nparams: ${params}`);
    this.cause = cause;
  }
}

describe('describeError', () => {
  // PGlite's own error carries the query and its values too; only its message is logged.
  const cause = Object.assign(new Error('duplicate key value violates unique constraint'), {
    code: '23505',
    query: 'insert into "users" ("username", "password") values ($1, $2)',
    params: ['alice', SECRET],
  });
  const query = 'insert into "users" ("username", "password") values ($1, $2)';

  it.each([
    ['this copy of drizzle-orm', () => new DrizzleQueryError(query, ['alice', SECRET], cause)],
    ['another copy of drizzle-orm', () => new OtherCopyQueryError(query, ['alice', SECRET], cause)],
  ])('logs the SQL and the cause of a failed query from %s, never its values', (_, make) => {
    const error = make();
    expect(error.message).toContain(SECRET);
    for (const text of [describeError(error), describeError(error, { stack: true })]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('alice');
      expect(text).toContain(query);
      expect(text).toContain('duplicate key value');
    }
  });

  it('logs any other error by its message, or its stack when asked', () => {
    const error = new TypeError('boom');
    expect(describeError(error)).toBe('boom');
    expect(describeError(error, { stack: true })).toContain('TypeError: boom\n');
    expect(describeError('plain')).toBe('plain');
  });
});
