// The catcher over real SMTP: nodemailer, as the kit sends, to smtp-server on a free port.
import { request } from 'node:http';
import { Window } from 'happy-dom';
import nodemailer from 'nodemailer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMailCatcher, type MailCatcher } from '@/dev/mail-catcher/server';

let catcher: MailCatcher;
const logged: string[] = [];

beforeAll(async () => {
  catcher = await startMailCatcher({ log: (text) => logged.push(text) });
});

afterAll(async () => {
  await catcher.close();
});

afterEach(() => {
  catcher.clear();
  logged.length = 0;
});

interface Mail {
  from?: string;
  to: string | string[];
  cc?: string;
  bcc?: string;
  subject: string;
  text?: string;
  html?: string;
}

/** Sends one message through a fresh nodemailer transport, as the kit would. */
async function send(mail: Mail, smtpUrl = catcher.smtpUrl): Promise<void> {
  const transport = nodemailer.createTransport(smtpUrl);
  try {
    await transport.sendMail({ from: 'Auth kit <no-reply@localhost>', ...mail });
  } finally {
    transport.close();
  }
}

function parseHtml(html: string): Document {
  const window = new Window();
  window.document.write(html);
  return window.document as unknown as Document;
}

/** A GET with an explicit Host header (fetch does not let a caller choose it). */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Host: host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

const VERIFY_TEXT = `Hello Alice,

Confirm your e-mail address by opening this link:

http://localhost:3000/verify-email#token=Q2hlY2tpbmc_the-link.

It expires in 24 hours.`;

describe('receiving mail over SMTP', () => {
  it('listens on 127.0.0.1 and says where', () => {
    expect(catcher.smtpUrl).toBe(`smtp://127.0.0.1:${catcher.smtpPort}`);
    expect(catcher.inboxUrl).toBe(`http://127.0.0.1:${catcher.httpPort}/`);
    expect(catcher.smtpPort).toBeGreaterThan(0);
    expect(catcher.httpPort).not.toBe(catcher.smtpPort);
  });

  it('parses a message: headers, both parts, every recipient and the links of the text part', async () => {
    await send({
      to: 'Alice <Alice@Example.com>',
      cc: 'carol@example.com',
      bcc: 'audit@example.com',
      subject: 'Verify your e-mail address',
      text: VERIFY_TEXT,
      html: '<p>Confirm your address: <a href="http://localhost:3000/verify-email#token=x">Verify</a></p>',
    });
    const [message, ...rest] = catcher.messages();
    expect(rest).toEqual([]);
    expect(message).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      from: '"Auth kit" <no-reply@localhost>',
      to: ['alice@example.com', 'carol@example.com', 'audit@example.com'],
      subject: 'Verify your e-mail address',
      html: '<p>Confirm your address: <a href="http://localhost:3000/verify-email#token=x">Verify</a></p>',
      links: ['http://localhost:3000/verify-email#token=Q2hlY2tpbmc_the-link'],
    });
    expect(message?.text.trim()).toBe(VERIFY_TEXT);
    expect(Date.now() - Date.parse(message?.receivedAt ?? '')).toBeLessThan(10_000);
  });

  it('accepts mail with any user name and password, since an SMTP_URL may carry them', async () => {
    const { port } = new URL(catcher.smtpUrl);
    await send(
      { to: 'bob@example.com', subject: 'With auth', text: 'hi' },
      `smtp://someone:secret@127.0.0.1:${port}`,
    );
    expect(catcher.messages().map((m) => m.subject)).toEqual(['With auth']);
  });

  it('keeps a message without an HTML part with html null', async () => {
    await send({ to: 'bob@example.com', subject: 'Text only', text: 'No HTML here.' });
    expect(catcher.messages()[0]).toMatchObject({ html: null, links: [] });
  });

  it('prints each message: from, to, subject and every link on its own line', async () => {
    await send({
      to: 'alice@example.com',
      subject: 'Reset your password',
      text: 'Set a new one:\nhttp://localhost:3000/reset-password#token=r1\nHelp: https://example.com/help',
    });
    expect(logged).toHaveLength(1);
    const lines = logged[0]?.split('\n') ?? [];
    const id = catcher.messages()[0]?.id;
    expect(lines).toEqual([
      `[mail-catcher] Mail #${id} received`,
      '  From:    "Auth kit" <no-reply@localhost>',
      '  To:      alice@example.com',
      '  Subject: Reset your password',
      '  Links:',
      '  http://localhost:3000/reset-password#token=r1',
      '  https://example.com/help',
      `  Inbox:   ${catcher.inboxUrl}messages/${id}`,
    ]);
  });

  it('refuses a message over the size limit with an SMTP error, and keeps nothing', async () => {
    await expect(
      send({ to: 'bob@example.com', subject: 'Huge', text: 'x'.repeat(3 * 1024 * 1024) }),
    ).rejects.toMatchObject({ responseCode: 552 });
    expect(catcher.messages()).toEqual([]);
  });
});

describe('the JSON API', () => {
  it('lists messages newest first, serves one by id, and clears them', async () => {
    await send({ to: 'a@example.com', subject: 'first', text: 'one https://example.com/1' });
    await send({ to: 'b@example.com', subject: 'second', text: 'two' });

    const list = await fetch(`${catcher.inboxUrl}api/messages`);
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toMatch(/^application\/json/);
    expect(list.headers.get('cache-control')).toBe('no-store');
    const messages = (await list.json()) as { id: string; subject: string; links: string[] }[];
    expect(messages.map((m) => m.subject)).toEqual(['second', 'first']);
    expect(messages).toEqual(catcher.messages());

    const first = messages[1];
    const one = await fetch(`${catcher.inboxUrl}api/messages/${first?.id}`);
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ subject: 'first', links: ['https://example.com/1'] });

    const missing = await fetch(`${catcher.inboxUrl}api/messages/999999`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found' });

    const cleared = await fetch(`${catcher.inboxUrl}api/messages`, { method: 'DELETE' });
    expect(cleared.status).toBe(204);
    expect(await (await fetch(`${catcher.inboxUrl}api/messages`)).json()).toEqual([]);
    expect(catcher.messages()).toEqual([]);
  });

  it('answers a wrong method with 405 and Allow, and a malformed id with 404', async () => {
    const post = await fetch(`${catcher.inboxUrl}api/messages`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, DELETE');
    const deleteOne = await fetch(`${catcher.inboxUrl}api/messages/1`, { method: 'DELETE' });
    expect(deleteOne.status).toBe(405);
    expect((await fetch(`${catcher.inboxUrl}api/messages/%E0%A4%A`)).status).toBe(404);
    expect((await fetch(`${catcher.inboxUrl}api/nothing`)).status).toBe(404);
  });

  it('answers only requests that name it by a loopback host (no DNS rebinding)', async () => {
    const url = `${catcher.inboxUrl}api/messages`;
    expect(await getWithHost(url, `127.0.0.1:${catcher.httpPort}`)).toBe(200);
    expect(await getWithHost(url, `localhost:${catcher.httpPort}`)).toBe(200);
    expect(await getWithHost(url, `evil.example:${catcher.httpPort}`)).toBe(421);
    expect(await getWithHost(catcher.inboxUrl, 'evil.example')).toBe(421);
  });
});

describe('the inbox page', () => {
  const HOSTILE_SUBJECT = 'Win <script>alert("subject")</script> & <img src=x onerror=alert(1)>';
  const HOSTILE_HTML =
    '<p>Hi</p><script>alert("html")</script><img src="https://tracker.example/pixel.png">';

  it('lists messages newest first with every value escaped', async () => {
    await send({ to: 'a@example.com', subject: 'older', text: 'x' });
    await send({
      to: 'victim@example.com',
      from: '"<b>Mallory</b>" <mallory@example.com>',
      subject: HOSTILE_SUBJECT,
      text: '<script>alert("text")</script>',
      html: HOSTILE_HTML,
    });
    const response = await fetch(catcher.inboxUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    const document = parseHtml(html);
    expect(document.querySelectorAll('script, img, b')).toHaveLength(0);
    const rows = [...document.querySelectorAll('tbody tr')];
    expect(rows.map((row) => row.querySelectorAll('td')[2]?.textContent)).toEqual([
      HOSTILE_SUBJECT,
      'older',
    ]);
    expect(rows[0]?.querySelectorAll('td')[3]?.textContent).toBe(
      '"<b>Mallory</b>" <mallory@example.com>',
    );
  });

  it('shows a message with its links, its text escaped, and its HTML part only in a sandboxed iframe', async () => {
    await send({
      to: 'victim@example.com',
      subject: HOSTILE_SUBJECT,
      text: '<script>alert("text")</script>\nhttp://localhost:3000/verify-email#token=abc',
      html: HOSTILE_HTML,
    });
    const [message] = catcher.messages();
    const response = await fetch(`${catcher.inboxUrl}messages/${message?.id}`);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await response.text();
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');

    const document = parseHtml(html);
    expect(document.querySelectorAll('script, img')).toHaveLength(0);
    expect(document.querySelector('h1')?.textContent).toBe(HOSTILE_SUBJECT);
    expect(document.querySelector('pre')?.textContent).toContain('<script>alert("text")</script>');
    const links = [...document.querySelectorAll('ul.links a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual([
      'http://localhost:3000/verify-email#token=abc',
    ]);
    const frames = [...document.querySelectorAll('iframe')];
    expect(frames).toHaveLength(1);
    expect(frames[0]?.getAttribute('sandbox')).toBe('');
    expect(frames[0]?.getAttribute('srcdoc')).toBe(HOSTILE_HTML);
  });

  it('answers an unknown message with a 404 page', async () => {
    const response = await fetch(`${catcher.inboxUrl}messages/424242`);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('No such message');
  });
});

describe('waitForMessage', () => {
  it('resolves at once with a message already in the inbox, the oldest matching first', async () => {
    await send({ to: 'early@example.com', subject: 'one', text: 'x' });
    await send({ to: 'early@example.com', subject: 'two', text: 'x' });
    const found = await catcher.waitForMessage((m) => m.to.includes('early@example.com'), 100);
    expect(found.subject).toBe('one');
  });

  it('waits for a message that has not arrived yet', async () => {
    const waiting = catcher.waitForMessage((m) => m.subject === 'later', 5000);
    await send({ to: 'x@example.com', subject: 'something else', text: 'x' });
    await send({ to: 'x@example.com', subject: 'later', text: 'x' });
    expect((await waiting).subject).toBe('later');
  });

  it('times out with an error naming what it waited for and what the inbox holds', async () => {
    await send({ to: 'bob@example.com', subject: 'Not it', text: 'x' });
    const started = Date.now();
    const error = await catcher
      .waitForMessage(
        (m) => m.to.includes('nobody@example.com'),
        300,
        'a mail to nobody@example.com',
      )
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(error?.message).toMatch(
      /^No mail matching a mail to nobody@example\.com arrived within 300 ms;/,
    );
    expect(error?.message).toContain('to bob@example.com "Not it"');
  });

  it('rejects a timeout that is not a number of milliseconds', async () => {
    await expect(catcher.waitForMessage(() => true, Number.NaN)).rejects.toThrow(/timeoutMs/);
  });
});

describe('the bound', () => {
  it('keeps the latest maxMessages messages, dropping the oldest', async () => {
    const small = await startMailCatcher({ maxMessages: 3, log: false });
    try {
      for (const n of [1, 2, 3, 4, 5]) {
        await send({ to: 'a@example.com', subject: `mail ${n}`, text: 'x' }, small.smtpUrl);
      }
      expect(small.messages().map((m) => m.subject)).toEqual(['mail 5', 'mail 4', 'mail 3']);
      const listed = (await (await fetch(`${small.inboxUrl}api/messages`)).json()) as unknown[];
      expect(listed).toHaveLength(3);
      const oldest = await fetch(`${small.inboxUrl}api/messages/1`);
      expect(oldest.status).toBe(404);
    } finally {
      await small.close();
    }
  });

  it('refuses a capacity that is not a positive integer', async () => {
    await expect(startMailCatcher({ maxMessages: 0, log: false })).rejects.toThrow(/capacity/);
  });
});

describe('close', () => {
  it('rejects pending waits, frees both ports, and returns quickly with a pooled connection open', async () => {
    const own = await startMailCatcher({ log: false });
    const pooled = nodemailer.createTransport(`${own.smtpUrl}?pool=true`);
    await pooled.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 's', text: 't' });
    const waiting = expect(own.waitForMessage(() => false, 10_000)).rejects.toThrow(/closed/);
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(900);
    await waiting;
    await expect(fetch(own.inboxUrl)).rejects.toThrow();
    pooled.close();
  });
});
