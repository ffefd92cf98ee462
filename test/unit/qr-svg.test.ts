import fc from 'fast-check';
import { toString as qrToString } from 'qrcode';
import { qrCodeSvg } from '../../functions/common/http/qr-svg';

/**
 * qr-svg.ts takes only qrcode's encoder and SVG renderer: its answer must be exactly what the
 * package's entry module draws for the same options, for any short URL.
 */
describe('qrCodeSvg', () => {
  const entryModule = (text: string) =>
    qrToString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });

  it('draws a short URL as the package entry module does', async () => {
    const url = 'https://go.example.com/anna-summer';
    const svg = await qrCodeSvg(url);
    expect(svg).toBe(await entryModule(url));
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });

  it('matches it for any URL-like text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.webUrl(), async (url) => {
        expect(await qrCodeSvg(url)).toBe(await entryModule(url));
      }),
      { numRuns: 50 },
    );
  });
});
