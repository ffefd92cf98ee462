/** Any link's QR code, for the operator (CONTRACT §11's QR code, on the admin side). */
import { qrSvgResponse } from '../common/http/qr-svg';
import { notFound } from '../common/http/responses';
import { admin } from './context';

export async function getLinkQr(code: string) {
  const link = await admin.links.get(code);
  if (!link) throw notFound('The link');
  return qrSvgResponse(`${admin.publicBaseUrl}/${link.code}`);
}
