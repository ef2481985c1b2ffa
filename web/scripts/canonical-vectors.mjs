import * as m from '../../src/Leakwatch.Server/wwwroot/assets/leakwatch.js';
const emails = ['John.Smith@Gmail.COM ', '\u00A0 user+tag@example.org\t', '\u0085a@example.com\u2003', '\uFEFFa@example.com',
 'user@müller.de', 'USER@MÜLLER.DE', 'ivan@пример.рф', 'x@faß.de', 'x@FAß.DE', 'a@exämple.com', 'a@xn--mller-kva.de',
 'a_b-c@sub.domain.co.uk', 'a..b@x.com', '.ab@x.com', 'ab.@x.com', 'user@example.invalidtld', 'user@localhost',
 'a@b@example.com', '@example.com', 'user@', 'user@a..com', 'user@-a.com', 'jöhn@example.com', 'a@äb--c.com', 'a@ä-.com',
 'a@-ä.com', 'a@example.com.', 'a@ä.com/x', 'a@例え.テスト', 'a@例え。jp', 'x'.repeat(64) + '@example.com', 'x'.repeat(65) + '@example.com',
 'a@' + 'b'.repeat(64) + '.com', 'a@ex ample.com', 'a@ex_ample.com', 'a@123.45', 'A@EXAMPLE.ONION', 'a@xn--ls8h.la', '', ' @ ', 'a@b.c', 'a@ab.cd-', 'Ünïcode@example.com', 'a@ÄBC.de', 'a@xn--abc.de', 'a@ab--cd.com'];
const phones = [['07911 123456','GB'], ['+44 7911 123456',null], ['+44 (0)7911 123456',null], ['447911123456',null], ['0044 7911 123456','GB'],
 ['011 44 7911 123456','US'], ['(212) 555-0123','US'], ['212.555.0123','US'], ['+1 212 555 0123 ext. 4', null], ['12345','US'], ['12345', null],
 ['030 1234567','DE'], ['+49 30 1234567', null], ['01512 3456789','DE'], ['06 12 34 56 78','FR'], ['98765 43210','IN'],
 ['+39 06 1234 5678', null], ['06 1234 5678', 'IT'], ['+54 9 11 1234 5678', null], ['011 15-1234-5678', 'AR'], ['1-800-FLOWERS','US'],
 ['０７９１１ １２３４５６','GB'], ['＋44 7911 123456', null], ['+44 7911 12345', null], ['7911 123456', 'GB'], ['44 7911 123456', 'GB'],
 ['+1 650-253-0000', 'DE'], ['8 (912) 345-67-89', 'RU'], ['+7 912 345 67 89', null], ['090-1234-5678','JP'], ['2125550123', null],
 ['1 212 555 0123', null], ['tel:+44-7911-123456', null], ['+44 7911 123456 #', null], ['1-800-FLOWERS ext 12','US'], ['+1 800 FLOWERS', null], ['Call 07911 123456','GB'], ['07911 123456 x12','GB'], ['0800 SHOP NOW','GB'], ['+1-800-GO-FEDEX', 'DE'], ['', 'GB'], ['   ', null], ['+', null], ['abc', 'US']];
const out = {
  comment: 'Canonical identifiers (docs/private-lookup.md §1): C# EmailNormalizer/PhoneNormalizer (tests/Leakwatch.Core.Tests/CanonicalVectorsTests.cs) and the JS client (web/test/canonical.test.js) must both give these. null = not valid.',
  emails: emails.map((input) => ({ input, canonical: m.canonicalEmail(input) })),
  phones: phones.map(([input, region]) => ({ input, region, e164: m.canonicalPhone(input, region) })),
};
console.log(JSON.stringify(out, null, 1));
