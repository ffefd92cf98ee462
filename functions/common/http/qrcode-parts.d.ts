/**
 * The two modules of `qrcode` that functions/common/http/qr-svg.ts imports directly; the package's
 * own types describe its entry module only.
 */
declare module 'qrcode/lib/core/qrcode' {
  import type { QRCode, QRCodeOptions } from 'qrcode';
  export function create(text: string, options?: QRCodeOptions): QRCode;
}

declare module 'qrcode/lib/renderer/svg-tag' {
  import type { QRCode, QRCodeToStringOptions } from 'qrcode';
  export function render(qrData: QRCode, options?: QRCodeToStringOptions): string;
}
