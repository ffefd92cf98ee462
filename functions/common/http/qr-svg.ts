/**
 * A link's QR code as an SVG answer (CONTRACT §11): the short URL, encoded by `qrcode` (pure
 * JavaScript, no native parts), with medium error correction so a printed code survives a smudge.
 */
import type { HttpResult } from './responses';

export const QR_CONTENT_TYPE = 'image/svg+xml';

/** Imported on the first QR request: few requests ask for one, and the encoder is a large module. */
export async function qrCodeSvg(text: string): Promise<string> {
  const { toString: qrToString } = await import('qrcode');
  return qrToString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
}

/**
 * An SVG opened on its own is a document that could run script: the CSP allows nothing (the
 * drawing is plain paths), and `nosniff` keeps it an image.
 */
export async function qrSvgResponse(shortUrl: string): Promise<HttpResult> {
  return {
    statusCode: 200,
    headers: {
      'content-type': QR_CONTENT_TYPE,
      'content-security-policy': "default-src 'none'",
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
    },
    body: await qrCodeSvg(shortUrl),
  };
}
