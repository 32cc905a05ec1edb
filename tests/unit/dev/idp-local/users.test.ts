import { describe, expect, it } from 'vitest';
import { DEMO_USER, parseLocalIdpUsers, stableSub } from '@/dev/idp-local/users';

describe('parseLocalIdpUsers', () => {
  it('falls back to the demo user when unset or blank', () => {
    expect(parseLocalIdpUsers(undefined)).toEqual([DEMO_USER]);
    expect(parseLocalIdpUsers('  ')).toEqual([DEMO_USER]);
    expect(DEMO_USER).toMatchObject({ username: 'demo', emailVerified: true });
  });

  it('parses several entries, trimming spaces and allowing ":" inside passwords', () => {
    expect(parseLocalIdpUsers('alice:pw-1:alice@example.com, bob:a:b:c:bob@example.com')).toEqual([
      { username: 'alice', password: 'pw-1', email: 'alice@example.com', emailVerified: true },
      { username: 'bob', password: 'a:b:c', email: 'bob@example.com', emailVerified: true },
    ]);
  });

  it.each([
    ['alice:secret', /entry 1 \("alice:\*\*\*"\) has fewer than three/],
    ['alice:pw:alice@example.com,,', /entry 2 \(""\)/],
    [':pw:a@example.com', /entry 1 .* invalid username/],
    ['alice::a@example.com', /entry 1 .* empty password/],
    ['alice:pw:not-an-email', /entry 1 \("alice:\*\*\*:not-an-email"\) has an invalid email/],
    ['alice:pw:a@example.com,ALICE:pw:b@example.com', /entry 2 .* repeats a username/],
  ])('names the bad entry in %j', (raw, message) => {
    expect(() => parseLocalIdpUsers(raw)).toThrow(message);
  });

  it('never echoes a password in an error', () => {
    expect(() => parseLocalIdpUsers('alice:top-secret:bad')).toThrow(/^(?!.*top-secret)/);
  });
});

describe('stableSub', () => {
  it('is a deterministic v4-shaped UUID per pool and case-insensitive username', () => {
    const sub = stableSub('us-east-1_LocalDemo', 'Demo');
    expect(sub).toBe(stableSub('us-east-1_LocalDemo', 'demo'));
    expect(sub).not.toBe(stableSub('us-east-1_Other', 'demo'));
    expect(sub).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
