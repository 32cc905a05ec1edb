import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkTotp,
  generateTotpSecret,
  normaliseTotpCode,
  otpauthUri,
  totpCode,
  totpStep,
} from '@/auth/mfa/totp';

/** RFC 6238 appendix B: the SHA-1 seed "12345678901234567890", in base32. */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

/**
 * RFC 6238 appendix B, SHA-1 rows: unix time, the 8-digit TOTP the RFC lists, its step (T, hex
 * in the RFC). Six-digit codes are the last six digits (RFC 4226 truncation modulo 10^6).
 */
const RFC_VECTORS: [seconds: number, code8: string, step: number][] = [
  [59, '94287082', 0x1],
  [1111111109, '07081804', 0x23523ec],
  [1111111111, '14050471', 0x23523ed],
  [1234567890, '89005924', 0x273ef07],
  [2000000000, '69279037', 0x3f940aa],
  [20000000000, '65353130', 0x27bc86aa],
];

const at = (seconds: number) => new Date(seconds * 1000);

/** An independent RFC 4226 HOTP over node:crypto, to cross-check the library. */
function hotp(key: Buffer, counter: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[19]! & 0xf;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, '0');
}

function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of text) bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

describe('RFC 6238 test vectors (SHA-1)', () => {
  it('the base32 secret is the RFC seed', () => {
    expect(base32Decode(RFC_SECRET).toString()).toBe('12345678901234567890');
  });

  for (const [seconds, code8, step] of RFC_VECTORS) {
    const code = code8.slice(-6);
    it(`at ${seconds}: code ${code}, step ${step}`, () => {
      expect(totpStep(at(seconds))).toBe(step);
      expect(totpCode(RFC_SECRET, at(seconds))).toBe(code);
      expect(checkTotp(code, RFC_SECRET, at(seconds), null)).toEqual({ ok: true, step });
    });
  }

  it('matches an independent HOTP implementation at many times', () => {
    const secret = generateTotpSecret();
    const key = base32Decode(secret);
    for (let seconds = 1_700_000_000; seconds < 1_700_000_000 + 30 * 200; seconds += 29) {
      const expected = hotp(key, Math.floor(seconds / 30));
      expect(totpCode(secret, at(seconds))).toBe(expected);
    }
  });
});

describe('checkTotp', () => {
  const NOW = at(1_767_225_615); // 2026-01-01T00:00:15Z, mid-step
  const STEP = totpStep(NOW);
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  const codeAt = (step: number) => totpCode(secret, at(step * 30));

  it('accepts the current code, reporting its step', () => {
    expect(checkTotp(codeAt(STEP), secret, NOW, null)).toEqual({ ok: true, step: STEP });
  });

  it('accepts one step on either side (clock drift) and reports the matched step', () => {
    expect(checkTotp(codeAt(STEP - 1), secret, NOW, null)).toEqual({ ok: true, step: STEP - 1 });
    expect(checkTotp(codeAt(STEP + 1), secret, NOW, null)).toEqual({ ok: true, step: STEP + 1 });
  });

  it('refuses codes two steps away', () => {
    expect(checkTotp(codeAt(STEP - 2), secret, NOW, null)).toEqual({ ok: false });
    expect(checkTotp(codeAt(STEP + 2), secret, NOW, null)).toEqual({ ok: false });
  });

  it('uses the window at the edges of a step', () => {
    const start = at(STEP * 30);
    const end = at(STEP * 30 + 29);
    expect(checkTotp(codeAt(STEP - 1), secret, start, null).ok).toBe(true);
    expect(checkTotp(codeAt(STEP + 1), secret, start, null).ok).toBe(true);
    expect(checkTotp(codeAt(STEP + 2), secret, end, null).ok).toBe(false);
    expect(checkTotp(codeAt(STEP - 2), secret, end, null).ok).toBe(false);
  });

  it('refuses a code replayed within its window', () => {
    const first = checkTotp(codeAt(STEP), secret, NOW, null);
    expect(first).toEqual({ ok: true, step: STEP });
    const lastUsed = first.ok ? first.step : null;
    expect(checkTotp(codeAt(STEP), secret, NOW, lastUsed)).toEqual({ ok: false });
    // Still refused 30 s later, while the step is inside the ±1 window.
    expect(checkTotp(codeAt(STEP), secret, at(STEP * 30 + 45), lastUsed)).toEqual({ ok: false });
  });

  it('refuses an earlier code once a later one was used, accepts a later one', () => {
    expect(checkTotp(codeAt(STEP - 1), secret, NOW, STEP)).toEqual({ ok: false });
    expect(checkTotp(codeAt(STEP + 1), secret, NOW, STEP)).toEqual({ ok: true, step: STEP + 1 });
    expect(checkTotp(codeAt(STEP), secret, NOW, STEP - 1)).toEqual({ ok: true, step: STEP });
  });

  it('refuses everything, without throwing, when the last used step is beyond the window', () => {
    expect(checkTotp(codeAt(STEP + 1), secret, NOW, STEP + 1)).toEqual({ ok: false });
    expect(checkTotp(codeAt(STEP), secret, NOW, STEP + 100)).toEqual({ ok: false });
  });

  it('treats a negative last step as no code used', () => {
    expect(checkTotp(codeAt(STEP), secret, NOW, -1)).toEqual({ ok: true, step: STEP });
  });

  it('refuses a wrong code and malformed input without throwing', () => {
    const right = codeAt(STEP);
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    for (const input of [wrong, '', '12345', '1234567', 'abcdef', `${right}0`, null, 123456, {}])
      expect(checkTotp(input, secret, NOW, null)).toEqual({ ok: false });
  });

  it('accepts the code with spaces or full-width digits', () => {
    const code = codeAt(STEP);
    const spaced = `${code.slice(0, 3)} ${code.slice(3)}`;
    const fullWidth = [...code].map((d) => String.fromCharCode(0xff10 + Number(d))).join('');
    expect(checkTotp(` ${spaced}\t`, secret, NOW, null)).toEqual({ ok: true, step: STEP });
    expect(checkTotp(fullWidth, secret, NOW, null)).toEqual({ ok: true, step: STEP });
  });

  it('throws for a secret that is not base32 (a bug in the caller, not bad input)', () => {
    expect(() => checkTotp('123456', 'not base32!', NOW, null)).toThrow(/base32/);
    expect(() => checkTotp('123456', 'jbswy3dpehpk3pxp', NOW, null)).toThrow(/base32/);
  });

  it('throws for a last step that is not an integer', () => {
    expect(() => checkTotp(codeAt(STEP), secret, NOW, 1.5)).toThrow(TypeError);
  });
});

describe('normaliseTotpCode', () => {
  it('keeps exactly six ASCII digits after removing white space', () => {
    expect(normaliseTotpCode('123456')).toBe('123456');
    expect(normaliseTotpCode(' 123 456 ')).toBe('123456');
    expect(normaliseTotpCode('12\u00a034\n56')).toBe('123456');
    expect(normaliseTotpCode('１２３４５６')).toBe('123456');
  });

  it('refuses anything else', () => {
    for (const input of [
      '12345',
      '1234567',
      '123-456',
      '12345a',
      '١٢٣٤٥٦',
      '',
      ' ',
      '1'.repeat(100),
    ])
      expect(normaliseTotpCode(input)).toBeNull();
    for (const input of [123456, null, undefined, ['123456']])
      expect(normaliseTotpCode(input)).toBeNull();
  });
});

describe('generateTotpSecret', () => {
  it('is 160 bits of base32 (32 characters), different every time', () => {
    const secrets = new Set(Array.from({ length: 100 }, generateTotpSecret));
    expect(secrets.size).toBe(100);
    for (const secret of secrets) {
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(base32Decode(secret)).toHaveLength(20);
    }
  });
});

describe('otpauthUri', () => {
  it('is an otpauth://totp URI with the label, secret, issuer and the parameters', () => {
    const uri = otpauthUri({
      issuer: 'Auth Kit',
      accountName: 'alice@example.com',
      secret: RFC_SECRET,
    });
    const url = new URL(uri);
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(decodeURIComponent(url.pathname)).toBe('/Auth Kit:alice@example.com');
    expect(url.searchParams.get('secret')).toBe(RFC_SECRET);
    expect(url.searchParams.get('issuer')).toBe('Auth Kit');
    // SHA-1, 6 digits and 30 s are the defaults apps assume: left out, or stated as such.
    const expected: Record<string, string> = { algorithm: 'SHA1', digits: '6', period: '30' };
    for (const [name, value] of url.searchParams) {
      expect(['secret', 'issuer', 'algorithm', 'digits', 'period']).toContain(name);
      if (name in expected) expect(value).toBe(expected[name]);
    }
  });

  it('encodes the account name and keeps it one label part', () => {
    const uri = otpauthUri({ issuer: 'Kit', accountName: 'a:b c/é', secret: RFC_SECRET });
    const label = new URL(uri).pathname.slice(1);
    expect(label.split(':')).toHaveLength(2);
    expect(decodeURIComponent(label)).toBe('Kit:a_b c/é');
  });

  it('refuses an issuer that is empty or contains a colon', () => {
    expect(() => otpauthUri({ issuer: 'A:B', accountName: 'alice', secret: RFC_SECRET })).toThrow(
      /colon/,
    );
    expect(() => otpauthUri({ issuer: ' ', accountName: 'alice', secret: RFC_SECRET })).toThrow(
      /issuer/,
    );
  });
});
