// @vitest-environment happy-dom
import { test } from 'vitest';
test('probe', async () => {
  const r = new Request('/api/me', { headers: { 'X-Trace': '1' } });
  const r2 = new Request(r, { headers: new Headers({ Authorization: 'Bearer x' }) });
  console.log(r.url, [...r2.headers], location.href, Object.getOwnPropertyDescriptor(Object.getPrototypeOf(navigator), 'locks'));
  Object.defineProperty(navigator, 'locks', { configurable: true, value: { request: 1 } });
  console.log((navigator as any).locks, globalThis.navigator === (window as any).navigator);
  delete (navigator as any).locks; console.log((navigator as any).locks);
});
