/**
 * A link's QR code as an SVG answer (CONTRACT §11): the short URL, encoded by `qrcode` (pure
 * JavaScript, no native parts), with medium error correction so a printed code survives a smudge.
 */
import type { HttpResult } from './responses';

export const QR_CONTENT_TYPE = 'image/svg+xml';

const QR_OPTIONS = { type: 'svg', errorCorrectionLevel: 'M', margin: 4 } as const;

/**
 * Imported on the first QR request: few requests ask for one. Only the encoder and the SVG renderer
 * are taken, which is what the package's `toString` with `type: 'svg'` runs: its entry module also
 * loads the PNG renderer and its PNG library, a third of the package, into every function that
 * serves a QR code (test/unit/qr-svg.test.ts checks the output is the entry module's).
 */
export async function qrCodeSvg(text: string): Promise<string> {
  const [{ create }, { render }] = await Promise.all([
    import('qrcode/lib/core/qrcode'),
    import('qrcode/lib/renderer/svg-tag'),
  ]);
  return render(create(text, QR_OPTIONS), QR_OPTIONS);
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
