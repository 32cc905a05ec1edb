import { describe, expect, it } from 'vitest';
import {
  canonicalUsername,
  isMixedScript,
  normalizeUsername,
  usernameSkeleton,
} from '@/auth/identity/username';

describe('normalizeUsername (Django normalize_username)', () => {
  it('applies NFKC: ligatures, full-width letters and the Kelvin sign become plain letters', () => {
    expect(normalizeUsername('ﬁx')).toBe('fix');
    expect(normalizeUsername('ａｄｍｉｎ')).toBe('admin');
    expect(normalizeUsername('\u212Aate')).toBe('Kate');
  });
});

describe('canonicalUsername', () => {
  it('is the same for names that differ only in case', () => {
    expect(canonicalUsername('Admin')).toBe('admin');
    expect(canonicalUsername('ADMIN')).toBe(canonicalUsername('admin'));
    expect(canonicalUsername('ÄDMIN')).toBe(canonicalUsername('ädmin'));
    expect(canonicalUsername('STRASSE')).toBe(canonicalUsername('straße'));
    expect(canonicalUsername('ＡＤＭＩＮ')).toBe('admin');
  });

  it('keeps names apart that differ in more than case', () => {
    expect(canonicalUsername('аdmin')).not.toBe(canonicalUsername('admin'));
    expect(canonicalUsername('İnci')).not.toBe(canonicalUsername('inci'));
  });
});

describe('usernameSkeleton', () => {
  it('maps a Cyrillic lookalike and a case variant to the skeleton of the Latin name', () => {
    expect(usernameSkeleton('аdmin')).toBe(usernameSkeleton('admin'));
    expect(usernameSkeleton('Admin')).toBe(usernameSkeleton('admin'));
    expect(usernameSkeleton('раураl')).toBe(usernameSkeleton('paypal'));
    expect(usernameSkeleton('bob')).not.toBe(usernameSkeleton('rob'));
  });

  it('agrees with the SQL the migration backfills ASCII names with (m → rn, 0 → O, 1 → l)', () => {
    const sqlSkeleton = (name: string) =>
      name.toLowerCase().replaceAll('m', 'rn').replaceAll('0', 'O').replaceAll('1', 'l');
    for (const name of [
      'admin',
      'User_01',
      'm.m+m@x-1',
      'abcdefghijklmnopqrstuvwxyz0123456789_.@+-',
    ])
      expect(usernameSkeleton(name), name).toBe(sqlSkeleton(name));
  });
});

describe('isMixedScript', () => {
  it('flags a Latin name with a Cyrillic or Greek letter in it', () => {
    expect(isMixedScript('аdmin')).toBe(true);
    expect(isMixedScript('pαypal')).toBe(true);
    expect(isMixedScript('Ωmega')).toBe(true);
  });

  it('accepts single-script names, with digits and punctuation, and Latin with Japanese', () => {
    for (const name of [
      'admin',
      'ädmin_2',
      'иван',
      'ωμέγα',
      '山田太郎',
      'やまだ_taro',
      'x.y@z+1-2',
      '김철수',
    ])
      expect(isMixedScript(name), name).toBe(false);
  });
});
