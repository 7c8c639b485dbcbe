import { describe, expect, it } from 'vitest';
import { isValidChineseId, luhnValid, PII_MASKS, redact, type PiiKind } from '../../src/analysis/redact.js';

// Test numbers: 11010519491231002X is the sample ID from GB 11643; the others below were built
// with the check digit computed here (see the validator tests). 4111…, 5555…, 3782… are the card
// networks' published test numbers.

const masked: Array<[string, string, PiiKind[]]> = [
  // mainland mobiles
  ['我的手机是13812345678', '我的手机是[PHONE]', ['phone']],
  ['电话 138 1234 5678 谢谢', '电话 [PHONE] 谢谢', ['phone']],
  ['手机：138-1234-5678。', '手机：[PHONE]。', ['phone']],
  ['+86 138 1234 5678', '[PHONE]', ['phone']],
  ['+8613812345678', '[PHONE]', ['phone']],
  ['(+86)13812345678', '[PHONE]', ['phone']],
  ['0086-13812345678', '[PHONE]', ['phone']],
  ['１３８１２３４５６７８（全角）', '[PHONE]（全角）', ['phone']],
  ['13812345678,13987654321', '[PHONE],[PHONE]', ['phone']],
  ['13812345678 13987654321', '[PHONE] [PHONE]', ['phone']],
  ['2026-03-15 13812345678 回电', '2026-03-15 [PHONE] 回电', ['phone']],
  ['(13812345678)', '([PHONE])', ['phone']],
  // landlines
  ['座机010-12345678转8001', '座机[PHONE]转8001', ['phone']],
  ['0755-8888 6666', '[PHONE]', ['phone']],
  ['(021)62345678', '[PHONE]', ['phone']],
  ['总机 01062345678', '总机 [PHONE]', ['phone']],
  ['tel:+86-10-62345678', 'tel:[PHONE]', ['phone']],
  ['+86 755 8888 6666', '[PHONE]', ['phone']],
  // international
  ['Call +1 415-555-0100 today', 'Call [PHONE] today', ['phone']],
  ['(415) 555-0100', '[PHONE]', ['phone']],
  ['415.555.0100', '[PHONE]', ['phone']],
  ['1-800-555-0100', '[PHONE]', ['phone']],
  ['+44 20 7946 0958', '[PHONE]', ['phone']],
  ['+49 (0)30 1234567', '[PHONE]', ['phone']],
  // resident IDs
  ['身份证号11010519491231002X。', '身份证号[ID]。', ['id']],
  ['ID: 440306199003071232', 'ID: [ID]', ['id']],
  ['110105 19491231 002x', '[ID]', ['id']],
  ['身份证 110105491231002', '身份证 [ID]', ['id']],
  // bank cards
  ['卡号 6222 0212 3456 7890 128', '卡号 [CARD]', ['card']],
  ['卡号6222021234567890128', '卡号[CARD]', ['card']],
  ['4111-1111-1111-1111', '[CARD]', ['card']],
  ['card 5555 5555 5555 4444 exp 12/28', 'card [CARD] exp 12/28', ['card']],
  ['Amex 3782 822463 10005', 'Amex [CARD]', ['card']],
  ['订单发了，卡号 4532015112830366', '订单发了，卡号 [CARD]', ['card']],
  // emails
  ['zhang.san@example.com', '[EMAIL]', ['email']],
  ['邮箱zhang_san+crm@mail.example.com.cn谢谢', '邮箱[EMAIL]谢谢', ['email']],
  ['QQ邮箱 13812345678@qq.com', 'QQ邮箱 [EMAIL]', ['email']],
  ['Mail me at Li.Wei@Example.CO.', 'Mail me at [EMAIL].', ['email']],
  // several kinds at once
  [
    '联系人王经理，手机13812345678，邮箱wang@acme.cn，身份证11010519491231002X，付款卡4111 1111 1111 1111。',
    '联系人王经理，手机[PHONE]，邮箱[EMAIL]，身份证[ID]，付款卡[CARD]。',
    ['phone', 'id', 'card', 'email'],
  ],
];

const untouched: Array<[string, string]> = [
  ['报价¥128000，含税', 'price with currency sign'],
  ['报价 ￥ 13812345678', 'currency sign before a phone-shaped number'],
  ['总价12.8万', 'price in 万'],
  ['128000元', 'price in 元'],
  ['$1,280.50 per unit', 'dollar price'],
  ['数量5000台，MOQ 1000', 'quantities'],
  ['订单号 20260315001', 'order number shorter than a card'],
  ['订单号 SO-2026031500123', 'order number glued to letters'],
  ['订单号：4532015112830366', 'Luhn-valid order number after an order keyword'],
  ['流水 2026031500012340', 'Luhn-valid 16 digits without a card-network prefix'],
  ['2026-03-15', 'ISO date'],
  ['2026.03.15 14:30:05', 'dotted date and time'],
  ['20260315', 'compact date'],
  ['timestamp 1741996800000', 'epoch milliseconds'],
  ['通话时长 00:12:34', 'duration'],
  ['S7-1200 PLC', 'model number'],
  ['6ES7 214-1AG40-0XB0', 'Siemens order number'],
  ['SN13812345678', 'serial glued to letters'],
  ['version 1.2.3, ip 192.168.1.10', 'versions and IPs'],
  ['13812345678.5 吨', 'decimal number'],
  ['12812345678', 'not a mobile prefix (12x)'],
  ['138123456789', '12 digits starting like a mobile'],
  ['0755-888', 'too short for a landline'],
  ['0123-4567890', 'invalid area code'],
  ['440306199003071233', 'ID with a wrong check digit (also fails Luhn)'],
  ['440306199002301235', 'ID with Feb 30 as birth date (check digit right)'],
  ['99030619900307123X', 'ID with an unknown province code'],
  ['4111 1111 1111 1112', 'card failing Luhn'],
  ['6222 0212 3456 7890 127', 'UnionPay-shaped number failing Luhn'],
  ['4111 1111-1111 1111', 'card groups with mixed separators'],
  ['user@localhost', 'email without a TLD'],
  ['@someone 你好', 'mention'],
  ['约 3 到 5 天到货，价格 128 000', 'small numbers with spaces'],
  ['415 555 0100', 'space-separated 3-3-4 without parentheses (ambiguous)'],
  ['交期45天，账期 90 天', 'days'],
];

describe('redact', () => {
  it.each(masked)('masks %j', (input, expected, kinds) => {
    const r = redact(input);
    expect(r.text).toBe(expected);
    expect(r.found.map((f) => f.kind).sort()).toEqual([...kinds].sort());
  });

  it.each(untouched)('leaves %j alone (%s)', (input) => {
    expect(redact(input)).toEqual({ text: input, found: [] });
  });

  it('has at least 30 positive and 30 negative cases', () => {
    expect(masked.length).toBeGreaterThanOrEqual(30);
    expect(untouched.length).toBeGreaterThanOrEqual(30);
  });

  it('counts findings per kind in a fixed order', () => {
    const r = redact('a@b.cn 13812345678 c@d.cn 010-62345678 4111111111111111');
    expect(r.found).toEqual([
      { kind: 'phone', count: 2 },
      { kind: 'card', count: 1 },
      { kind: 'email', count: 2 },
    ]);
  });

  it('masks only the kinds asked for, and never part of a number of another kind', () => {
    const text = '手机13812345678 卡号6222021234567890128 邮箱a@b.cn';
    expect(redact(text, { kinds: ['phone'] })).toEqual({
      text: '手机[PHONE] 卡号6222021234567890128 邮箱a@b.cn',
      found: [{ kind: 'phone', count: 1 }],
    });
    expect(redact(text, { kinds: ['card', 'email'] }).text).toBe('手机13812345678 卡号[CARD] 邮箱[EMAIL]');
    expect(redact(text, { kinds: [] })).toEqual({ text, found: [] });
    // a phone inside an email address stays with the email when emails are not masked
    expect(redact('13812345678@qq.com', { kinds: ['email'] }).text).toBe('[EMAIL]');
  });

  it('uses one mask per kind', () => {
    expect(PII_MASKS).toEqual({ phone: '[PHONE]', id: '[ID]', card: '[CARD]', email: '[EMAIL]' });
  });

  it('returns the same string when there is nothing to mask (and for empty input)', () => {
    expect(redact('')).toEqual({ text: '', found: [] });
    const s = '交期太长了，价格也贵。';
    expect(redact(s).text).toBe(s);
  });

  // Catastrophic backtracking would hang here until the test timeout; no wall-clock assertion (see bench/).
  it('finishes on adversarial input', () => {
    const inputs = [
      '1 '.repeat(100_000),
      '1-'.repeat(100_000) + 'x',
      '9'.repeat(200_000),
      'a'.repeat(100_000) + '@' + 'b'.repeat(100_000),
      'a@'.repeat(100_000),
      '+1 ('.repeat(50_000),
      '.a'.repeat(100_000) + '@x.com',
      ('13812345678 ').repeat(10_000),
    ];
    for (const input of inputs) expect(redact(input).text.length).toBeGreaterThan(0);
    expect(redact('13812345678 '.repeat(10_000)).found).toEqual([{ kind: 'phone', count: 10_000 }]);
  });
});

describe('validators', () => {
  it('luhnValid', () => {
    for (const ok of ['4111111111111111', '5555555555554444', '378282246310005', '6222021234567890128', '0']) {
      expect(luhnValid(ok)).toBe(true);
    }
    for (const bad of ['4111111111111112', '6222021234567890127', '', '4111-1111', 'abc']) expect(luhnValid(bad)).toBe(false);
  });

  it('isValidChineseId checks province, birth date and the MOD 11-2 check character', () => {
    expect(isValidChineseId('11010519491231002X')).toBe(true);
    expect(isValidChineseId('11010519491231002x')).toBe(true);
    expect(isValidChineseId('440306199003071232')).toBe(true);
    expect(isValidChineseId('510107200002293457')).toBe(true); // 2000-02-29 is a leap day
    expect(isValidChineseId('110105194912310021')).toBe(false); // wrong check digit
    for (let d = 0; d <= 9; d++) {
      expect(isValidChineseId(`44030619900307123${d}`)).toBe(d === 2);
    }
    expect(isValidChineseId('440306199002301235')).toBe(false); // 1990-02-30
    expect(isValidChineseId('99030619900307123X')).toBe(false); // province 99
    expect(isValidChineseId('440306290003071236')).toBe(false); // born in 2900
    expect(isValidChineseId('110105491231002')).toBe(true); // legacy 15 digits, 1949-12-31
    expect(isValidChineseId('110105491331002')).toBe(false); // month 13
    expect(isValidChineseId('1101054912310')).toBe(false);
  });
});
