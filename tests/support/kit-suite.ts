/** A `next start` of the kit for the enclosing describe(): started before its tests, stopped after. */
import { afterAll, beforeAll, type TestContext } from 'vitest';
import type { HttpBackend, KitServer, SeedUser } from './kit-servers';
import { skipWithoutPostgres } from './databases';
import { startWarmKit } from './requests';

/** The kit of one describe(): `kit(context)` in a test, `kit.current` in a hook. */
export interface SuiteKit {
  /**
   * The running kit, for the test whose context this is; on the pg backend without a reachable
   * PostgreSQL the test is skipped instead, visibly (skipWithoutPostgres).
   */
  (context: TestContext): KitServer;
  /** The running kit, or null before it starts and when PostgreSQL is unreachable. */
  readonly current: KitServer | null;
}

/** `password` for every one of `usernames`: the seed most suites start with. */
export function usersWithPassword(password: string, usernames: readonly string[]): SeedUser[] {
  return usernames.map((username) => ({ username, password }));
}

/**
 * Starts the kit warm (startWarmKit: every route loaded, the hasher too) on `backend` in a
 * beforeAll of the enclosing describe(), and stops it in an afterAll. Hooks registered after this
 * call run after the start, so they can sign users in on `kit.current`.
 */
export function useKit(
  backend: HttpBackend,
  options: Parameters<typeof startWarmKit>[1] = {},
): SuiteKit {
  let current: KitServer | null = null;
  beforeAll(async () => {
    current = await startWarmKit(backend, options);
  });
  afterAll(async () => {
    await current?.stop();
  });
  const kit = (context: TestContext) => {
    skipWithoutPostgres(context, current);
    return current;
  };
  return Object.defineProperty(kit, 'current', { get: () => current }) as SuiteKit;
}
