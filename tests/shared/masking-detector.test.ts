/**
 * The free-text detector of the masking policy (shared/masking.ts) against a generated corpus of personal data in
 * every class and spelling (tests/helpers/pii.ts), and against ordinary text it must leave alone.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findPersonalData, maskText, wallAlertTitle } from '../../shared/masking.js';
import { address, anyPlanted, bankCard, email, id15, id18, landline, leaks, mobile, name, ordinary, plate, qq, sentence, wechat, wxid, type Planted } from '../helpers/pii.js';

const classes: Array<[string, fc.Arbitrary<Planted>]> = [
  ['mobile numbers', mobile],
  ['landline numbers', landline],
  ['18-digit ID numbers', id18],
  ['15-digit ID numbers', id15],
  ['bank cards', bankCard],
  ['vehicle plates', plate],
  ['wxid_ WeChat ids', wxid],
  ['WeChat ids after the word', wechat],
  ['QQ numbers', qq],
  ['e-mail addresses', email],
  ['house numbers below the street', address],
];

describe('the personal-data detector', () => {
  for (const [label, arb] of classes) {
    it(`masks ${label} in every spelling, embedded in Chinese sentences`, () => {
      fc.assert(
        fc.property(sentence(arb), ({ text, planted }) => {
          const masked = maskText(text);
          expect(leaks(masked, planted), `${text} → ${masked}`).toEqual([]);
        }),
        { numRuns: 400 },
      );
    });
  }

  it('masks every class mixed in one text, and the case’s own party names wherever they repeat', () => {
    fc.assert(
      fc.property(sentence(anyPlanted, 8), fc.array(name, { minLength: 1, maxLength: 3 }), ({ text, planted }, names) => {
        const withNames = names.map((n) => `${n.text}称`).join('') + text + names.map((n) => `，${n.text}`).join('');
        const masked = maskText(withNames, names.map((n) => n.text));
        expect(leaks(masked, [...planted, ...names]), `${withNames} → ${masked}`).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps ordinary text: dates, amounts, case numbers, street and community codes, counts, times', () => {
    fc.assert(
      fc.property(ordinary, (text) => {
        expect(maskText(text)).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps the ordinary text around what it masks', () => {
    const text = '2026-11-22 申请人欧阳娜娜（电话１３８－００１３－８０００）称被拖欠工资12000元，案号（2026）粤0307民调123号，涉及15人，社区440307001001';
    expect(maskText(text, ['欧阳娜娜'])).toBe('2026-11-22 申请人欧**娜（电话138****8000）称被拖欠工资12000元，案号（2026）粤0307民调123号，涉及15人，社区440307001001');
  });

  it('masks the issue’s alert title, each piece by kind', () => {
    const text = '欧阳娜娜 6222 0212 3456 7890 粤B12345 wxid_abc123xyz789';
    expect(findPersonalData(text).map((s) => s.kind)).toEqual(['bankCard', 'plate', 'wechat']);
    expect(maskText(text)).toBe('欧阳娜娜 ************7890 粤B***** wxid_****');
  });

  it('writes the masks into the original text, full-width forms and all', () => {
    expect(maskText('住所：风门路１２号３栋５０１室；QQ：１２３４５６７８。')).toBe('住所：风门路**号**栋**室；QQ：********。');
  });

  it('stays linear on long hostile input (no catastrophic backtracking)', () => {
    // Each would take minutes on a pattern that backtracks; the test's own time limit is the guard.
    const hostile = [
      '1'.repeat(200_000),
      '1 '.repeat(100_000),
      'a'.repeat(200_000) + '@',
      'a.'.repeat(100_000) + '@x',
      'x@' + 'a.'.repeat(100_000),
      '路' + '1号'.repeat(100_000),
      '粤B'.repeat(100_000),
      'wxid_'.repeat(40_000),
      '微信'.repeat(100_000),
      'QQ'.repeat(100_000),
      '１－'.repeat(100_000),
    ];
    for (const text of hostile) expect(typeof maskText(text)).toBe('string');
  });

  it('gives the wall a label for an outside system’s alert, and a risk rule’s own title', () => {
    expect(wallAlertTitle({ source: 'hotline', title: '欧阳娜娜 13800138000' })).toBe('外部预警 · 12345热线报送');
    expect(wallAlertTitle({ source: 'system', rule: 'spike', title: '坂田街道劳资纠纷激增' })).toBe('坂田街道劳资纠纷激增');
    // A rule named by anyone but the engine does not make a title the wall's.
    expect(wallAlertTitle({ source: 'grid', rule: 'spike', title: '张三 13800138000' })).toBe('外部预警 · 网格员报送');
  });
});
