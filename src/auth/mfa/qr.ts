import { renderSVG } from 'uqr';

/**
 * The QR code of `text` (an otpauth:// URI) as an SVG document, rendered on the server so the
 * setup page needs no client library and the secret never goes to a third-party QR service.
 *
 * uqr draws only a `<rect>` background and one `<path>` of squares: the text itself never
 * appears in the markup (it is in the module pattern), so the SVG is safe to inline whatever the
 * text contains. Error correction M (15 %) reads well from a screen; a border of 4 modules is the
 * quiet zone the QR specification asks for. Throws if `text` is too long for any QR code (far
 * beyond an otpauth URI).
 */
export function qrSvg(text: string): string {
  const svg = renderSVG(text, { ecc: 'M', border: 4, pixelSize: 8 });
  // Named for screen readers (the text beside it on the page gives the secret to type instead).
  return svg.replace(/^<svg /, '<svg role="img" aria-label="QR code for an authenticator app" ');
}
