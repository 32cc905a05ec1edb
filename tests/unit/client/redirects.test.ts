import { describe, expect, test } from 'vitest';
import { safeRelativePath } from '@/client/redirects';

describe('safeRelativePath', () => {
  test.each([
    '/',
    '/dashboard',
    '/a/b/c',
    '/search?q=a%20b&page=2',
    '/docs#section-2',
    '/a/b?x=1&y=2#frag',
    '/javascript:alert(1)',
  ])('it keeps the same-origin relative path %j with its query and hash', (path) => {
    expect(safeRelativePath(path)).toBe(path);
  });

  test('it normalises dot segments that stay on the site', () => {
    expect(safeRelativePath('/a/./b/../c?x=1#h')).toBe('/a/c?x=1#h');
  });

  test.each([
    'https://evil.example/',
    'http://evil.example',
    'HTTPS://evil.example',
    'http:/evil.example',
    'mailto:a@evil.example',
    'data:text/html,<script>alert(1)</script>',
    'evil.example',
    'dashboard',
    ' /dashboard',
  ])('it refuses %j, which is not a path starting with /', (target) => {
    expect(safeRelativePath(target)).toBe('/');
  });

  test.each(['javascript:alert(1)', 'JavaScript:alert(document.cookie)', ' javascript:alert(1)'])(
    'it refuses the javascript: URL %j',
    (target) => {
      expect(safeRelativePath(target)).toBe('/');
    },
  );

  test.each([
    '//evil.example',
    '//evil.example/path?x=1',
    '///evil.example',
    '//',
    '/\\evil.example',
    '/\\/evil.example',
    '/path\\..\\..\\evil',
  ])('it refuses the protocol-relative or backslash form %j', (target) => {
    expect(safeRelativePath(target)).toBe('/');
  });

  test.each([
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r/evil.example',
    '/\u0000',
    '/ok\u001fpath',
    '/a\u0007b',
  ])('it refuses %j, which contains a control character', (target) => {
    expect(safeRelativePath(target)).toBe('/');
  });

  test.each([
    '/..//evil.example',
    '/.//evil.example',
    '/a/../..//evil.example/x?y#z',
    '/%2e%2e//evil.example',
    '/%2E//evil.example',
  ])('it refuses %j, whose dot segments normalise to a protocol-relative //host', (target) => {
    const result = safeRelativePath(target);
    expect(result.startsWith('//')).toBe(false);
    expect(result).toBe('/');
  });

  test('it returns the fallback for an empty, null, undefined or over-long target', () => {
    expect(safeRelativePath('', '/home')).toBe('/home');
    expect(safeRelativePath(null, '/home')).toBe('/home');
    expect(safeRelativePath(undefined)).toBe('/');
    expect(safeRelativePath(`/${'a'.repeat(2048)}`, '/home')).toBe('/home');
    expect(safeRelativePath(`/${'a'.repeat(2047)}`)).toBe(`/${'a'.repeat(2047)}`);
  });

  test('it returns the given fallback when it refuses a target', () => {
    expect(safeRelativePath('//evil.example', '/dashboard')).toBe('/dashboard');
  });
});
