import { checkTargetUrl } from '../../functions/common/domain/target-url';

const allowed = ['shop.example.com', 'brand.test'];

describe('checkTargetUrl', () => {
  it.each([
    ['https://shop.example.com/p/1?x=1#y', true],
    ['https://SHOP.example.com/p', true],
    ['https://eu.shop.example.com/p', true],
    ['https://a.b.brand.test/', true],
    ['https://shop.example.com./p', true],
    ['http://shop.example.com/p', false],
    ['javascript:alert(1)', false],
    ['data:text/html,<script>', false],
    ['ftp://shop.example.com/', false],
    ['https://evilshop.example.com/', false],
    ['https://shop.example.com.evil.test/', false],
    ['https://example.com/', false],
    ['https://user:pass@shop.example.com/', false],
    ['//shop.example.com/p', false],
    ['https://go.example.test/abc', false],
  ])('%s → %s', (url, ok) => {
    expect(checkTargetUrl(url, allowed, 'go.example.test').ok).toBe(ok);
  });

  it('refuses this service’s own host even when a merchant lists it', () => {
    const check = checkTargetUrl('https://go.example.test/abc', ['go.example.test'], 'go.example.test');
    expect(check).toEqual({ ok: false, message: 'Must not point at this service.' });
  });
});
