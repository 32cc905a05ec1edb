import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DURATION_OPTIONS, defineAuthConfig, isDefined, optionsSchema } from '@/auth/config/define';
import { resolveAuthConfig } from '@/auth/config/resolve';
import { STRONG_SECRET, devEnv, makeDataDir } from './helpers';
import { privateJwk } from '../tokens/fixtures';

let dataDir: string;
let remove: () => void;
let keys: string;

beforeAll(async () => {
  ({ dataDir, remove } = makeDataDir());
  keys = JSON.stringify({ keys: [await privateJwk('ES256', 'es-1')] });
});
afterAll(() => remove());

describe('defineAuthConfig returns parsed values', () => {
  it('turns every duration setting into seconds', () => {
    // 1m is within every duration's range (leeway and the grace window included).
    const options = Object.fromEntries(DURATION_OPTIONS.map((name) => [name, '1m']));
    const defined = defineAuthConfig(options);
    for (const name of DURATION_OPTIONS) expect(defined[name]).toBe(60);
  });

  it('turns mail.timeout into seconds and keeps mail.from', () => {
    expect(defineAuthConfig({ mail: { from: 'a@b.example', timeout: '10s' } }).mail).toEqual({
      from: 'a@b.example',
      timeout: 10,
    });
  });

  it('keeps functions as given (same identity)', () => {
    const serializeUser = () => ({});
    expect(defineAuthConfig({ serializeUser }).serializeUser).toBe(serializeUser);
  });

  it('marks what it returned, and returns it unchanged when given it again', () => {
    const defined = defineAuthConfig({ accessTokenLifetime: '5m' });
    expect(isDefined(defined)).toBe(true);
    expect(isDefined({ accessTokenLifetime: '5m' })).toBe(false);
    expect(defineAuthConfig(defined)).toBe(defined);
  });
});

describe('resolveAuthConfig parses the options once', () => {
  const env = () => devEnv(dataDir, { secret: STRONG_SECRET, signingKeys: keys });

  it('does not validate options defineAuthConfig already validated', async () => {
    const defined = defineAuthConfig({ accessTokenLifetime: '7m' });
    const spy = vi.spyOn(optionsSchema, 'safeParse');
    try {
      const config = await resolveAuthConfig(defined, env());
      expect(config.accessTokenLifetimeSeconds).toBe(420);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('validates plain options exactly once', async () => {
    const spy = vi.spyOn(optionsSchema, 'safeParse');
    try {
      const config = await resolveAuthConfig({ accessTokenLifetime: '7m' }, env());
      expect(config.accessTokenLifetimeSeconds).toBe(420);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});
