/**
 * Sign-in with a second factor and with a passkey, next to password sign-in, per request.
 *
 * Neither can be replayed, so autocannon's fixed requests do not fit: a TOTP second step needs an
 * `mfa_token` (single use) and a code not used before, a passkey sign-in a fresh challenge
 * (single use). So each row is a batch: everything a request needs is prepared first, outside
 * the measurement (the first step of sign-in, the challenges, the authenticator's signatures),
 * then the batch runs with 10 requests in flight and the server's CPU is taken around it alone.
 */
import { totpCode } from '@/auth/mfa/totp';
import { HttpClient } from '../support/http-client';
import { SoftAuthenticator } from '../support/soft-authenticator';
import type { ScenarioResult } from './load';
import { processTreeCpuMs } from './process-cpu';

const json = { 'content-type': 'application/json' };
const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]! : 0;

/** Runs `calls`, `concurrency` at a time, and measures them like runLoad (CPU, latency, status). */
export async function runBatch(
  name: string,
  serverPid: number,
  calls: (() => Promise<Response>)[],
  concurrency = 10,
): Promise<ScenarioResult> {
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let next = 0;
  const cpuBefore = processTreeCpuMs(serverPid);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls.length) {
        const call = calls[next++]!;
        const at = performance.now();
        try {
          const response = await call();
          await response.arrayBuffer();
          if (response.status < 200 || response.status > 299) non2xx++;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - at);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuMs = processTreeCpuMs(serverPid) - cpuBefore;
  latencies.sort((a, b) => a - b);
  return {
    name,
    connections: concurrency,
    requests: calls.length,
    reqPerSec: Math.round(calls.length / seconds),
    p50: Math.round(percentile(latencies, 50)),
    p90: Math.round(percentile(latencies, 90)),
    p99: Math.round(percentile(latencies, 99)),
    errors,
    non2xx,
    serverCpuUs: Math.round((cpuMs * 1000) / calls.length),
  };
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

async function ok(response: Response, what: string): Promise<Response> {
  if (!response.ok) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return response;
}

/** Signs in with the password: the access token (or the mfa_token when a second step is due). */
async function passwordStep(url: string, username: string, password: string) {
  const response = await ok(
    await fetch(`${url}/auth/sign-in/`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ username, password }),
    }),
    `sign-in ${username}`,
  );
  return (await response.json()) as { access_token?: string; mfa_token?: string };
}

/** Turns TOTP on for each user over HTTP (setup, then confirm with the current code). */
export async function enrollTotp(
  url: string,
  usernames: string[],
  password: string,
): Promise<Map<string, string>> {
  const secrets = new Map<string, string>();
  for (const username of usernames) {
    const client = new HttpClient(url);
    const { access_token } = await passwordStep(url, username, password);
    const setup = await ok(
      await client.post('/auth/mfa/totp/setup/', {}, bearer(access_token!)),
      'totp setup',
    );
    const { secret } = (await setup.json()) as { secret: string };
    await ok(
      await client.post(
        '/auth/mfa/totp/confirm/',
        { code: totpCode(secret, new Date()) },
        bearer(access_token!),
      ),
      'totp confirm',
    );
    secrets.set(username, secret);
  }
  return secrets;
}

/** Registers one passkey for `username`: a synced passkey's authenticator (its counter stays 0). */
export async function enrollPasskey(
  url: string,
  origin: string,
  username: string,
  password: string,
): Promise<SoftAuthenticator> {
  const client = new HttpClient(url);
  const { access_token } = await passwordStep(url, username, password);
  const authenticator = new SoftAuthenticator(origin, new URL(origin).hostname, false);
  const options = await ok(
    await client.post('/auth/passkeys/register/options/', {}, bearer(access_token!)),
    'passkey options',
  );
  await ok(
    await client.post(
      '/auth/passkeys/register/',
      { response: authenticator.register(await options.json()) },
      bearer(access_token!),
    ),
    'passkey register',
  );
  return authenticator;
}

/**
 * The three sign-ins, one batch each, on a kit whose `mfaUsers` have TOTP on (`secrets`) and
 * whose `passkeyUser` has `authenticator`. `count` requests per batch, at most one per TOTP user.
 */
export async function signInBatches(
  kit: { url: string; pid: number },
  {
    password,
    plainUser,
    secrets,
    authenticator,
    count,
  }: {
    password: string;
    plainUser: string;
    secrets: Map<string, string>;
    authenticator: SoftAuthenticator;
    count: number;
  },
): Promise<ScenarioResult[]> {
  const url = kit.url;
  const results: ScenarioResult[] = [];
  const post = (path: string, body: unknown) => () =>
    fetch(`${url}${path}`, { method: 'POST', headers: json, body: JSON.stringify(body) });

  results.push(
    await runBatch(
      'password sign-in (Argon2id)',
      kit.pid,
      Array.from({ length: count }, () =>
        post('/auth/sign-in/', { username: plainUser, password }),
      ),
    ),
  );

  // The first steps, outside the measurement: one mfa_token per user.
  const users = [...secrets.keys()].slice(0, count);
  const tokens: { mfa_token: string; secret: string }[] = [];
  for (const username of users) {
    const { mfa_token } = await passwordStep(url, username, password);
    if (!mfa_token) throw new Error(`${username} got no mfa_token`);
    tokens.push({ mfa_token, secret: secrets.get(username)! });
  }
  // The next step's code: within the ±1 window, and never the one the confirm step used.
  results.push(
    await runBatch(
      'TOTP second step (POST /auth/mfa/verify/)',
      kit.pid,
      tokens.map(({ mfa_token, secret }) =>
        post('/auth/mfa/verify/', {
          mfa_token,
          code: totpCode(secret, new Date(Date.now() + 30_000)),
        }),
      ),
    ),
  );

  // Passkey: the challenges first (measured as their own row), then the signed answers.
  const optionsCalls = Array.from({ length: count }, () =>
    post('/auth/passkeys/sign-in/options/', {}),
  );
  const challenges: unknown[] = [];
  const collect = optionsCalls.map((call) => async () => {
    const response = await call();
    challenges.push(await response.clone().json());
    return response;
  });
  results.push(await runBatch('passkey sign-in options (challenge)', kit.pid, collect));
  const answers = challenges.map((options) =>
    authenticator.authenticate(options as Parameters<SoftAuthenticator['authenticate']>[0]),
  );
  results.push(
    await runBatch(
      'passkey sign-in (POST /auth/passkeys/sign-in/)',
      kit.pid,
      answers.map((response) => post('/auth/passkeys/sign-in/', { response })),
    ),
  );
  return results;
}
