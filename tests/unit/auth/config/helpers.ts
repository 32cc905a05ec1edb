import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ConfigError } from '@/auth/config/define';
import type { AuthEnv } from '@/auth/config/env';

/** A 43-character random-looking secret, long enough for production. */
export const STRONG_SECRET = 'q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c';

/** Another strong secret, for AUTH_HS256_KEY (which must differ from AUTH_SECRET). */
export const STRONG_HS256_KEY = 'Zr8vKq2XnT5wLm9YpC4hJd7sFb3GxVa6Ne1Qu0Ro2Ik';

/** A fresh temporary data directory, and a function that removes it. */
export function makeDataDir(): { dataDir: string; remove: () => void } {
  const dataDir = mkdtempSync(join(tmpdir(), 'auth-config-test-'));
  return { dataDir, remove: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** A development environment; pass a secret and keys to keep it from generating any. */
export function devEnv(dataDir: string, overrides: Partial<AuthEnv> = {}): AuthEnv {
  return { nodeEnv: 'development', dataDir, ...overrides };
}

/** The mail settings production requires while sign-up or password reset is on. */
export const PRODUCTION_MAIL: Partial<AuthEnv> = {
  appUrl: 'https://app.example.com',
  smtpUrl: 'smtp://127.0.0.1:9',
};

/**
 * A production environment with nothing set but the data directory and the mail settings (pass
 * `appUrl: undefined` or `smtpUrl: undefined` to leave them out).
 */
export function productionEnv(dataDir: string, overrides: Partial<AuthEnv> = {}): AuthEnv {
  return { nodeEnv: 'production', dataDir, ...PRODUCTION_MAIL, ...overrides };
}

/** Asserts that a call fails at start-up with a ConfigError whose message names every given word. */
export async function expectConfigError(action: () => unknown, ...named: string[]): Promise<void> {
  let caught: unknown;
  try {
    await action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  for (const word of named) expect((caught as Error).message).toContain(word);
}
