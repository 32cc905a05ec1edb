import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  accountExistsMail,
  composeMessage,
  deliverMail,
  describeLifetime,
  smtpMailer,
  verifyEmailMail,
  type Mailer,
} from '@/mail';
import { freePort } from '../../support/next-server';

const SILENT = { logLevel: 'silent' as const };
const MESSAGE = {
  from: 'Kit <no-reply@example.com>',
  ...composeMessage({ to: 'a@example.com', subject: 'Hi', blocks: ['Hello'] }),
};

describe('composing a mail', () => {
  it('puts each link on a line of its own in the text part', () => {
    const mail = verifyEmailMail({
      to: 'ada@example.com',
      site: 'app.example.com',
      username: 'ada',
      link: 'https://app.example.com/verify-email#token=abc',
      lifetimeSeconds: 86_400,
    });
    expect(mail.text.split('\n')).toContain('https://app.example.com/verify-email#token=abc');
    expect(mail.text).toContain('within 24 hours');
    expect(mail.subject).toBe('Confirm your e-mail address for app.example.com');
    expect(mail.html).toContain('<a href="https://app.example.com/verify-email#token=abc">');
  });

  it('escapes every value in the HTML part', () => {
    const mail = accountExistsMail({
      to: 'x@example.com',
      site: 'app.example.com',
      username: '<img src=x onerror=alert(1)>"&',
      resetLink: 'https://app.example.com/reset-password#token=a"b<c',
      lifetimeSeconds: 1800,
      signInUrl: 'https://app.example.com/login',
    });
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&amp;');
    expect(mail.html).toContain(
      'href="https://app.example.com/reset-password#token=a&quot;b&lt;c"',
    );
    expect(mail.text).toContain('within 30 minutes');
  });

  it('leaves the reset link out when there is none', () => {
    const mail = accountExistsMail({
      to: 'x@example.com',
      site: 's',
      username: 'u',
      resetLink: null,
      lifetimeSeconds: 1800,
      signInUrl: 'https://s/login',
    });
    expect(mail.text).not.toContain('reset-password');
    expect(mail.text.split('\n')).toContain('https://s/login');
  });

  it('says lifetimes in words', () => {
    expect(describeLifetime(86_400)).toBe('24 hours');
    expect(describeLifetime(172_800)).toBe('2 days');
    expect(describeLifetime(1800)).toBe('30 minutes');
    expect(describeLifetime(60)).toBe('1 minute');
    expect(describeLifetime(45)).toBe('45 seconds');
  });
});

describe('delivering a mail', () => {
  it('reports a sent mail', async () => {
    const send = vi.fn(async () => {});
    const result = await deliverMail(SILENT, { send }, MESSAGE, {
      timeoutSeconds: 1,
      kind: 'test',
    });
    expect(result).toEqual({ sent: true });
    expect(send).toHaveBeenCalledWith(MESSAGE);
  });

  it('never throws: a failing mailer is a result', async () => {
    const mailer: Mailer = { send: async () => Promise.reject(new Error('550 no such user')) };
    await expect(
      deliverMail(SILENT, mailer, MESSAGE, { timeoutSeconds: 1, kind: 'test' }),
    ).resolves.toEqual({ sent: false, reason: 'smtp_error' });
  });

  it('gives up on a mailer that never answers, at the timeout', async () => {
    const mailer: Mailer = { send: () => new Promise(() => {}) };
    const started = performance.now();
    const result = await deliverMail(SILENT, mailer, MESSAGE, {
      timeoutSeconds: 0.3,
      kind: 'test',
    });
    expect(result).toEqual({ sent: false, reason: 'timeout' });
    expect(performance.now() - started).toBeLessThan(1500);
  });
});

describe('the SMTP mailer (nodemailer) against servers that fail', () => {
  let stalled: Server;
  let stalledPort = 0;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Accepts the connection and never sends the SMTP greeting.
    stalled = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    stalledPort = (stalled.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => stalled.close(resolve));
  });

  it('fails fast on a closed port', async () => {
    const port = await freePort();
    const mailer = smtpMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, timeoutSeconds: 2 });
    const started = performance.now();
    const result = await deliverMail(SILENT, mailer, MESSAGE, { timeoutSeconds: 2, kind: 'test' });
    expect(result).toEqual({ sent: false, reason: 'smtp_error' });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('gives up on a server that never greets within the timeout', async () => {
    const mailer = smtpMailer({ smtpUrl: `smtp://127.0.0.1:${stalledPort}`, timeoutSeconds: 0.5 });
    const started = performance.now();
    const result = await deliverMail(SILENT, mailer, MESSAGE, {
      timeoutSeconds: 0.5,
      kind: 'test',
    });
    expect(result.sent).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
