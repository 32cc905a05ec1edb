// tests/support/mail-catcher.ts, which the HTTP and browser suites use to read the kit's mail.
import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findLink,
  startTestMailCatcher,
  tokenFromLink,
  type TestMailCatcher,
} from '../../../support/mail-catcher';

let mail: TestMailCatcher;
let transport: Transporter;

beforeAll(async () => {
  mail = await startTestMailCatcher();
  transport = nodemailer.createTransport(mail.smtpUrl);
});

afterAll(async () => {
  transport.close();
  await mail.close();
});

function send(to: string, subject: string, text: string) {
  return transport.sendMail({ from: 'Auth kit <no-reply@localhost>', to, subject, text });
}

describe('waitForMail', () => {
  it('returns the mails to one address in order, each once, whenever they arrive', async () => {
    await send(
      'Dana@Example.com',
      'Verify your e-mail address',
      'http://localhost:3000/verify-email#token=first',
    );
    const first = await mail.waitForMail({ to: 'dana@example.com' });
    expect(tokenFromLink(findLink(first, '/verify-email'))).toBe('first');

    // The resent link is the next mail, never the first one again, even before it arrives.
    const next = mail.waitForMail({ to: 'DANA@example.com' });
    await send(
      'dana@example.com',
      'Verify your e-mail address',
      'http://localhost:3000/verify-email#token=second',
    );
    expect(tokenFromLink(findLink(await next, '/verify-email'))).toBe('second');
  });

  it('filters by subject, as a substring or a pattern', async () => {
    await send(
      'erin@example.com',
      'You already have an account',
      'http://localhost:3000/reset-password#token=r',
    );
    await send(
      'erin@example.com',
      'Verify your e-mail address',
      'http://localhost:3000/verify-email#token=v',
    );
    const verify = await mail.waitForMail({ to: 'erin@example.com', subject: 'Verify' });
    expect(verify.links).toEqual(['http://localhost:3000/verify-email#token=v']);
    const notice = await mail.waitForMail({ to: 'erin@example.com', subject: /already have/ });
    expect(tokenFromLink(findLink(notice, '/reset-password'))).toBe('r');
  });

  it('times out naming the query and what the inbox holds', async () => {
    await send('frank@example.com', 'Reset your password', 'x');
    await expect(
      mail.waitForMail({ to: 'grace@example.com', subject: 'Reset' }, 200),
    ).rejects.toThrow(
      /No mail matching a mail to grace@example\.com with a subject matching Reset arrived within 200 ms; the inbox holds .*to frank@example\.com "Reset your password"/,
    );
  });
});

describe('links and tokens', () => {
  const message = {
    id: '1',
    receivedAt: '2026-01-01T00:00:00.000Z',
    from: '',
    to: ['a@example.com'],
    subject: 'Reset your password',
    text: '',
    html: null,
    links: [
      'https://app.example.com/help',
      'https://app.example.com/reset-password#token=abc-DEF_123',
    ],
  };

  it('finds the link to a path and reads the token from its fragment', () => {
    const link = findLink(message, '/reset-password');
    expect(link).toBe('https://app.example.com/reset-password#token=abc-DEF_123');
    expect(tokenFromLink(link)).toBe('abc-DEF_123');
  });

  it('says so when the link or its token is missing', () => {
    expect(() => findLink(message, '/verify-email')).toThrow(
      /Mail #1 \("Reset your password"\) has no link to \/verify-email; its links: https:\/\/app\.example\.com\/help/,
    );
    expect(() => tokenFromLink('https://app.example.com/help')).toThrow(/carries no #token=/);
    expect(() => tokenFromLink('https://app.example.com/reset-password?token=abc')).toThrow(
      /carries no #token=/,
    );
  });
});
