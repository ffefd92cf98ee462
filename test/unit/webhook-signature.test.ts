import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { verifySignature } from '../../functions/common/domain/webhook-signature';

const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
const other = `whsec_${Buffer.from('fedcba9876543210fedcba9876543210').toString('base64')}`;
const now = new Date('2026-11-20T12:00:00Z');
const ts = Math.floor(now.getTime() / 1000);

/** The specification's signature, computed here over raw bytes, independently of the code under test. */
function sign(key: string, id: string, timestamp: number, body: Buffer): string {
  const hmac = createHmac('sha256', Buffer.from(key.slice('whsec_'.length), 'base64'));
  hmac.update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`), body]));
  return `v1,${hmac.digest('base64')}`;
}

const json = Buffer.from(
  '{"type":"order.cancelled","orderId":"A-1","occurredAt":"2026-11-20T11:00:00.000Z"}',
);
// 0xff never occurs in UTF-8: decoding would replace it, and the bytes signed would no longer match.
const notUtf8 = Buffer.concat([Buffer.from('{"orderId":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);

describe('verifySignature', () => {
  it.each([
    ['a correct signature', json, sign(secret, 'msg_1', ts, json), ts, 'msg_1'],
    [
      'a body that is not UTF-8, signed over its bytes',
      notUtf8,
      sign(secret, 'msg_1', ts, notUtf8),
      ts,
      'msg_1',
    ],
    [
      'the second of several signatures',
      json,
      `v1,AAAA v1,${'A'.repeat(43)}= ${sign(secret, 'msg_1', ts, json)}`,
      ts,
      'msg_1',
    ],
    ['a wrong secret', json, sign(other, 'msg_1', ts, json), ts, undefined],
    ['another webhook id', json, sign(secret, 'msg_2', ts, json), ts, undefined],
    ['another body', json, sign(secret, 'msg_1', ts, Buffer.from(`${json} `)), ts, undefined],
    ['a version other than v1', json, sign(secret, 'msg_1', ts, json).replace('v1,', 'v2,'), ts, undefined],
    ['a signature cut short', json, sign(secret, 'msg_1', ts, json).slice(0, 20), ts, undefined],
    ['a timestamp 5 minutes old', json, sign(secret, 'msg_1', ts - 300, json), ts - 300, 'msg_1'],
    ['a timestamp over 5 minutes old', json, sign(secret, 'msg_1', ts - 301, json), ts - 301, undefined],
    ['a timestamp over 5 minutes ahead', json, sign(secret, 'msg_1', ts + 301, json), ts + 301, undefined],
  ])('%s', (_, body, signature, timestamp, expected) => {
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signature,
    };
    expect(verifySignature(body, headers, [secret], now)).toBe(expected);
  });

  it('accepts any live secret (rotation overlap) and what the Standard Webhooks library signs', () => {
    const body = json.toString('utf8');
    const signature = new Webhook(secret).sign('msg_9', now, body);
    const headers = {
      'webhook-id': 'msg_9',
      'webhook-timestamp': String(ts),
      'webhook-signature': signature,
    };
    expect(verifySignature(json, headers, [other, secret], now)).toBe('msg_9');
    expect(verifySignature(json, headers, [other], now)).toBeUndefined();
  });

  it('refuses missing headers and a timestamp that is not plain seconds', () => {
    const signature = sign(secret, 'msg_1', ts, json);
    const base = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': signature };
    expect(verifySignature(json, { ...base, 'webhook-id': undefined }, [secret], now)).toBeUndefined();
    expect(verifySignature(json, { ...base, 'webhook-signature': undefined }, [secret], now)).toBeUndefined();
    expect(verifySignature(json, { ...base, 'webhook-timestamp': ` ${ts}` }, [secret], now)).toBeUndefined();
    expect(verifySignature(json, { ...base, 'webhook-timestamp': `${ts}.0` }, [secret], now)).toBeUndefined();
  });
});
