import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random base62 text without modulo bias (bytes ≥ 248 are redrawn). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHABET.charAt(byte % 62);
    }
  }
  return out;
}

/** A generated merchant or influencer id such as `mer_5Hq2LwZk9TbR`. */
export const generatedId = (prefix: string) => `${prefix}_${randomBase62(12)}`;

/** A generated link code: 7 base62 characters (62^7 ≈ 3.5e12 codes). */
export const generatedCode = () => randomBase62(7);
