import { it } from 'vitest';
import http from 'node:http';
import { startKit } from '../../support/kit-servers';

function raw(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer) {
  return new Promise<string>((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve(`${method} ${path} -> ${res.statusCode} ${JSON.stringify(res.headers)} ${data.slice(0, 1000)}`));
    });
    req.on('error', (e) => resolve(`${method} ${path} -> ERR ${e.message}`));
    if (body) req.write(body);
    req.end();
  });
}

it('probe', async () => {
  const kit = (await startKit('pglite', { users: [{ username: 'fuzz', password: 'fuzz-password-1' }], env: { AUTH_THROTTLE: 'off' } }))!;
  try {
    for (const m of ['TRACE', 'TRACK', 'trace'])
      console.log(await raw(kit.port, m, '/auth/verify/'));
    console.log(await raw(kit.port, 'POST', '/auth/social-exchange/', { 'content-type': 'application/json' }, Buffer.from('{}')));
    console.log(await raw(kit.port, 'PROPFIND', '/.well-known/jwks.json'));
    let t = Date.now();
    const r = await fetch(`${kit.url}/auth/sign-in/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'fuzz', password: 'fuzz-password-1' }) });
    console.log('signin', Date.now() - t, r.status, r.headers.getSetCookie(), await r.text());
    t = Date.now();
    for (let i = 0; i < 100; i++) await (await fetch(`${kit.url}/auth/verify/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"token":"a.b.c"}' })).text();
    console.log('100 verify', Date.now() - t);
    t = Date.now();
    for (let i = 0; i < 20; i++) await (await fetch(`${kit.url}/auth/sign-in/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"x","password":"y"}' })).text();
    console.log('20 signin', Date.now() - t);
    const big = Buffer.alloc(40000, 'a');
    console.log(await raw(kit.port, 'POST', '/auth/verify/', { 'content-type': 'application/json', 'content-length': String(big.length) }, big));
    try { const r2 = await fetch(`${kit.url}/auth/verify/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big }); console.log('big fetch', r2.status, await r2.text()); } catch (e) { console.log('big fetch err', e); }
  } finally {
    console.log(kit.output().split('\n').filter((l) => !l.includes('auth event')).join('\n').slice(0, 6000));
    await kit.stop();
  }
}, 120000);
