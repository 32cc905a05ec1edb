import { describe, expect, it } from 'vitest';
import { extractLinks, formatForConsole, type CaughtMessage } from '@/dev/mail-catcher/message';

describe('extractLinks', () => {
  it('finds every http(s) link, in order, with its fragment', () => {
    const text = [
      'Confirm your address:',
      '',
      'http://localhost:3000/verify-email#token=AbC_d-9',
      '',
      'Or reset it at https://app.example.com/reset-password#token=xyz and ignore ftp://old.example/.',
    ].join('\n');
    expect(extractLinks(text)).toEqual([
      'http://localhost:3000/verify-email#token=AbC_d-9',
      'https://app.example.com/reset-password#token=xyz',
    ]);
  });

  it('leaves out the punctuation a sentence puts after a link', () => {
    expect(
      extractLinks(
        'Open https://a.example/x. Or (https://b.example/y?q=1), or "https://c.example/z"!',
      ),
    ).toEqual(['https://a.example/x', 'https://b.example/y?q=1', 'https://c.example/z']);
  });

  it('lists a repeated link once and finds none in plain prose', () => {
    expect(extractLinks('https://a.example/x then https://a.example/x again')).toEqual([
      'https://a.example/x',
    ]);
    expect(extractLinks('No links here, not even http:/ or https:// alone.')).toEqual([]);
  });
});

describe('formatForConsole', () => {
  const message: CaughtMessage = {
    id: '7',
    receivedAt: '2026-01-01T00:00:00.000Z',
    from: 'Auth kit <no-reply@localhost>',
    to: ['alice@example.com', 'bob@example.com'],
    subject: 'Reset \u001b[2Jyour password\u009b',
    text: '',
    html: null,
    links: ['http://localhost:3000/reset-password#token=t1', 'http://localhost:3000/help'],
  };

  it('prints who, what, and each link bare on a line of its own', () => {
    const lines = formatForConsole(message, 'http://127.0.0.1:2526/messages/7').split('\n');
    expect(lines).toContain('  From:    Auth kit <no-reply@localhost>');
    expect(lines).toContain('  To:      alice@example.com, bob@example.com');
    expect(lines).toContain('  http://localhost:3000/reset-password#token=t1');
    expect(lines).toContain('  http://localhost:3000/help');
    expect(lines).toContain('  Inbox:   http://127.0.0.1:2526/messages/7');
  });

  it('never writes a control character from the mail to the terminal', () => {
    const block = formatForConsole(message, 'http://127.0.0.1:2526/messages/7');
    expect(block).toContain('  Subject: Reset \uFFFD[2Jyour password\uFFFD');
    // Only the line breaks of the block itself remain.
    expect(block.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });
});
