import { expect, test, vi } from 'vitest';
import type { SignInResult } from '@/client';
import { lazyMembers } from '@/client/lazy';

// The members of useAuth() whose code loads on first call (src/client/lazy.ts).

test('a member loads its module on its first call only, then passes its arguments through', async () => {
  const greet = vi.fn(async (name: string) => ({ ok: true as const, value: `hello ${name}` }));
  const load = vi.fn(async () => ({ greet, other: async () => ({ ok: true as const }) }));
  const members = lazyMembers(load, 'account', ['greet']);

  expect(Object.keys(members)).toEqual(['greet']);
  expect(load).not.toHaveBeenCalled();
  await expect(members.greet('ada')).resolves.toEqual({ ok: true, value: 'hello ada' });
  await members.greet('bob');
  expect(greet.mock.calls).toEqual([['ada'], ['bob']]);
});

test('code that cannot be loaded is a network_error result, reported where asked, and the next call tries again', async () => {
  const report = vi.fn();
  let online = false;
  const load = vi.fn(async () => {
    if (!online) throw new TypeError('Failed to fetch dynamically imported module');
    const signInSomehow = async (): Promise<SignInResult> => ({ ok: true });
    return { signInSomehow };
  });
  const members = lazyMembers(load, 'cognito', ['signInSomehow'], report);

  const failed = await members.signInSomehow();
  expect(failed).toEqual({
    ok: false,
    error: {
      source: 'cognito',
      code: 'network_error',
      detail: expect.stringMatching(/could not be loaded/),
      status: 0,
    },
  });
  // Never the loader's own text (a stack or a chunk URL): a sentence for people.
  expect(JSON.stringify(failed)).not.toMatch(/dynamically imported/);
  expect(report).toHaveBeenCalledWith(!failed.ok && failed.error);

  online = true;
  await expect(members.signInSomehow()).resolves.toEqual({ ok: true });
  expect(load).toHaveBeenCalledTimes(2);
  expect(report).toHaveBeenCalledTimes(1);
});
