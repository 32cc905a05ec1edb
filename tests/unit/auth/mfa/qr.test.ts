import { encode } from 'uqr';
import { describe, expect, it } from 'vitest';
import { qrSvg } from '@/auth/mfa/qr';

const URI =
  'otpauth://totp/Auth%20Kit:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Auth%20Kit';

/**
 * The whole grammar of the SVG qrSvg may return: one svg element with fixed attributes, a white
 * rect and one black path of 8×8 squares. Anything else (a script, an event handler, a link,
 * foreignObject, text from the input) does not match.
 */
const DOCUMENT =
  /^<svg role="img" aria-label="QR code for an authenticator app" xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 (\d+) \1"><rect fill="white" width="\1" height="\1"\/><path fill="black" d="((?:M\d+,\d+h8v8h-8z)+)"\/><\/svg>$/;

/** The dark modules the path draws, as "row,col" (8 px per module). */
function darkModules(svg: string): Set<string> {
  const d = DOCUMENT.exec(svg)![2]!;
  return new Set(
    [...d.matchAll(/M(\d+),(\d+)/g)].map(([, x, y]) => `${Number(y) / 8},${Number(x) / 8}`),
  );
}

describe('qrSvg', () => {
  it('is an SVG of only a background rect and one path of squares', () => {
    expect(qrSvg(URI)).toMatch(DOCUMENT);
  });

  it('contains no script, handler, link or text, whatever the input', () => {
    const hostile = `otpauth://totp/x"><script>alert(1)</script><a href="javascript:alert(1)" onload="x">&amp;`;
    const svg = qrSvg(hostile);
    expect(svg).toMatch(DOCUMENT);
    expect(svg).not.toMatch(/script|href|onload|foreignObject|<text|&/i);
  });

  it('draws the QR code of the text: error correction M, a 4-module quiet zone', () => {
    const svg = qrSvg(URI);
    const qr = encode(URI, { ecc: 'M', border: 4 });
    const size = Number(DOCUMENT.exec(svg)![1]) / 8;
    expect(size).toBe(qr.size);
    const expected = new Set<string>();
    qr.data.forEach((row, r) => row.forEach((dark, c) => dark && expected.add(`${r},${c}`)));
    expect(darkModules(svg)).toEqual(expected);
    // The quiet zone: nothing dark in the first and last four rows and columns.
    for (const cell of darkModules(svg)) {
      const [r, c] = cell.split(',').map(Number);
      expect(Math.min(r!, c!, size - 1 - r!, size - 1 - c!)).toBeGreaterThanOrEqual(4);
    }
  });

  it('differs for different texts', () => {
    expect(qrSvg(URI)).not.toBe(qrSvg(URI.replace('alice', 'bob')));
  });

  it('throws for text no QR code can hold', () => {
    expect(() => qrSvg('x'.repeat(5000))).toThrow();
  });
});
