import { describe, expect, it } from 'vitest';
import { ExpiringStore, pkceMatches } from '@/dev/idp-local/codes';
import { pkcePair } from './flow';

describe('ExpiringStore', () => {
  it('hands a value out once and forgets it after the TTL', () => {
    let now = 0;
    const store = new ExpiringStore<string>(5 * 60 * 1000, 10, () => now);
    const once = store.add('a');
    expect(store.take(once)).toBe('a');
    expect(store.take(once)).toBeUndefined();
    const late = store.add('b');
    now += 5 * 60 * 1000;
    expect(store.get(late)).toBeUndefined();
  });

  it('evicts the oldest entry when full', () => {
    const store = new ExpiringStore<number>(60_000, 2);
    const first = store.add(1);
    store.add(2);
    store.add(3);
    expect(store.get(first)).toBeUndefined();
  });
});

describe('pkceMatches', () => {
  it('accepts only the verifier behind an S256 challenge', () => {
    const { verifier, challenge } = pkcePair();
    expect(pkceMatches(verifier, challenge)).toBe(true);
    expect(pkceMatches(pkcePair().verifier, challenge)).toBe(false);
    expect(pkceMatches(undefined, challenge)).toBe(false);
    expect(pkceMatches('short', challenge)).toBe(false);
  });
});
