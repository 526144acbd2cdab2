/**
 * A generated corpus of personal data in every class and spelling the masking policy promises to catch
 * (shared/masking.ts), and what must never survive of each: `secret` is checked against output with
 * `leaks(output, planted)`.
 */
import fc from 'fast-check';

export type PiiKind = 'mobile' | 'landline' | 'id18' | 'id15' | 'bankCard' | 'plate' | 'wxid' | 'wechat' | 'qq' | 'email' | 'address' | 'name';

export interface Planted {
  kind: PiiKind;
  /** As written into the text. */
  text: string;
  /** What must not appear in any output (compared after `canonical`). */
  secret: string;
}

const FULL = '０１２３４５６７８９';
/** Some digits full-width, some not. */
const widen = (digits: string) => fc.array(fc.boolean(), { minLength: digits.length, maxLength: digits.length }).map((flags) => [...digits].map((d, i) => (flags[i] && /\d/.test(d) ? FULL[Number(d)] : d)).join(''));
const digitsOf = (n: number) => fc.stringMatching(new RegExp(`^\\d{${n}}$`));
const sep = fc.constantFrom('', ' ', '-', '.', '·', '－', '　', ' - ', '—');
const idSep = fc.constantFrom(' ', '-', '　', '－');

/** Cut `digits` at `cuts` and join the pieces with generated separators. */
function spell(digits: string, cuts: number[], separators: fc.Arbitrary<string> = sep): fc.Arbitrary<string> {
  const pieces: string[] = [];
  let at = 0;
  for (const c of [...cuts, digits.length]) {
    pieces.push(digits.slice(at, c));
    at = c;
  }
  return fc.array(separators, { minLength: pieces.length - 1, maxLength: pieces.length - 1 }).chain((seps) => widen(pieces.map((p, i) => p + (seps[i] ?? '')).join('')));
}

const mobileDigits = fc.tuple(fc.constantFrom(...'3456789'), digitsOf(9)).map(([s, rest]) => `1${s}${rest}`);
export const mobile: fc.Arbitrary<Planted> = fc
  .tuple(mobileDigits, fc.constantFrom<number[]>([], [3, 7], [3], [4, 7], [3, 6]), fc.constantFrom('', '+86', '+86 ', '0086', '0086-', '86 ', '(+86)', '＋８６ '))
  .chain(([d, cuts, prefix]) => spell(d, cuts).map((s) => ({ kind: 'mobile' as const, text: prefix + s, secret: d })));

const areaCode = fc.constantFrom('010', '020', '021', '0755', '0769', '0571', '0898');
export const landline: fc.Arbitrary<Planted> = fc
  .tuple(areaCode, fc.constantFrom(...'23456789'), fc.oneof(digitsOf(6), digitsOf(7)), fc.constantFrom('dash', 'paren', 'space', 'country', 'plain'))
  .chain(([area, first, rest, style]) => {
    const local = first + rest;
    const secret = area + local;
    const spelled = fc.tuple(widen(area), spell(local, [local.length - 4]));
    return spelled.map(([a, l]) => {
      const text =
        style === 'dash' ? `${a}-${l}` : style === 'paren' ? `（${a}）${l}` : style === 'space' ? `${a} ${l}` : style === 'country' ? `+86 ${a.slice(1)} ${l}` : `${a}${l.replace(/[^\d０-９]/g, '')}`;
      return { kind: 'landline' as const, text, secret };
    });
  });

const birth = fc.date({ min: new Date('1940-01-01T00:00:00Z'), max: new Date('2010-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10).replace(/-/g, ''));
const region = fc.tuple(fc.constantFrom(...'123456789'), digitsOf(5)).map(([a, b]) => a + b);
export const id18: fc.Arbitrary<Planted> = fc
  .tuple(region, birth, digitsOf(3), fc.constantFrom(...'0123456789Xx'), fc.constantFrom<number[]>([], [6, 14], [6, 10, 14], [4, 8, 12, 16]))
  // An ID number is written whole or spaced from its region code (440305 19900101 1234) or in fours.
  .chain(([r, b, s, c, cuts]) => spell(r + b + s + c, cuts, idSep).map((text) => ({ kind: 'id18' as const, text, secret: (r + b + s + c).toUpperCase() })));
export const id15: fc.Arbitrary<Planted> = fc
  .tuple(region, birth, digitsOf(3), fc.constantFrom<number[]>([], [6, 12]))
  .chain(([r, b, s, cuts]) => spell(r + b.slice(2) + s, cuts, idSep).map((text) => ({ kind: 'id15' as const, text, secret: r + b.slice(2) + s })));

export const bankCard: fc.Arbitrary<Planted> = fc
  .tuple(fc.constantFrom('6222', '6217', '6228', '4367', '5187', '6013'), fc.integer({ min: 12, max: 15 }), fc.constantFrom('none', 'space', 'dash', 'fullspace'))
  .chain(([bin, more, style]) =>
    digitsOf(more).chain((rest) => {
      const d = bin + rest;
      const groups = d.match(/.{1,4}/g)!;
      const joiner = style === 'none' ? '' : style === 'space' ? ' ' : style === 'dash' ? '-' : '　';
      return widen(groups.join(joiner)).map((text) => ({ kind: 'bankCard' as const, text, secret: d }));
    }),
  );

const PROVINCES = [...'京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼'];
const PLATE_LETTERS = [...'ABCDEFGHJKLMNPQRSTUVWXYZ'];
export const plate: fc.Arbitrary<Planted> = fc
  .tuple(
    fc.constantFrom(...PROVINCES),
    fc.constantFrom(...PLATE_LETTERS),
    fc.oneof(
      fc.tuple(fc.array(fc.constantFrom(...PLATE_LETTERS, ...'0123456789'), { minLength: 4, maxLength: 4 }), fc.constantFrom(...'0123456789')).map(([a, d]) => a.join('') + d),
      fc.tuple(fc.constantFrom('D', 'F'), digitsOf(5)).map(([a, b]) => a + b),
    ),
    fc.constantFrom('', '·', ' ', '・'),
    fc.boolean(),
  )
  .map(([p, l, tail, s, lower]) => ({ kind: 'plate' as const, text: `${p}${lower ? l.toLowerCase() : l}${s}${tail}`, secret: tail }));

const idChars = fc.stringMatching(/^[a-z][a-z0-9_]{5,14}$/);
export const wxid: fc.Arbitrary<Planted> = fc.stringMatching(/^[a-z0-9]{8,16}$/).map((id) => ({ kind: 'wxid' as const, text: `wxid_${id}`, secret: id }));
export const wechat: fc.Arbitrary<Planted> = fc
  .tuple(fc.constantFrom('微信号：', '微信:', '微信 ', 'VX:', 'wechat: ', '微信号 ', 'vx：'), idChars)
  .map(([w, id]) => ({ kind: 'wechat' as const, text: `${w}${id}`, secret: id }));
export const qq: fc.Arbitrary<Planted> = fc
  .tuple(fc.constantFrom('QQ', 'qq号', 'QQ:', 'QQ号码：', 'qq ', 'ＱＱ：'), fc.constantFrom(...'123456789'), fc.integer({ min: 4, max: 10 }))
  .chain(([w, first, n]) => digitsOf(n).chain((rest) => widen(first + rest).map((d) => ({ kind: 'qq' as const, text: `${w}${d}`, secret: first + rest }))));
export const email: fc.Arbitrary<Planted> = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9._]{3,12}[a-z0-9]$/), fc.constantFrom('qq.com', '163.com', 'example.com.cn', 'mail.sz.gov.cn', 'gmail.com'))
  .map(([local, domain]) => ({ kind: 'email' as const, text: `${local}@${domain}`, secret: `${local}@` }));

const hanzi = fc.constantFrom(...'风门阳光幸福和平新安东湖金桥翠竹龙华坂田岗头布吉宝');
const placeName = fc.array(hanzi, { minLength: 2, maxLength: 4 }).map((a) => a.join(''));
const num = (min: number, max: number) => fc.integer({ min, max }).map(String);
export const address: fc.Arbitrary<Planted> = fc
  .oneof(
    fc.tuple(placeName, fc.constantFrom('路', '街', '大道'), num(1, 9999), num(1, 40), num(101, 3208)).map(([n, road, h, b, r]) => [`${n}${road}`, `${h}号${b}栋${r}室`]),
    fc.tuple(placeName, num(1, 30), num(1, 200)).map(([n, lane, h]) => [`${n}村`, `${lane}巷${h}号`]),
    fc.tuple(placeName, fc.constantFrom('小区', '花园', '家园'), num(1, 40), num(1, 6), num(101, 3208)).map(([n, w, b, u, r]) => [`${n}${w}`, `${b}栋${u}单元${r}室`]),
  )
  .chain(([place, house]) => widen(house!).map((h) => ({ kind: 'address' as const, text: place! + h, secret: house! })));

const surnames = ['欧阳', '张', '李', '王', '陈', '司马', '黄', '林'];
export const name: fc.Arbitrary<Planted> = fc
  .tuple(fc.constantFrom(...surnames), fc.array(fc.constantFrom(...'娜明丰伟芳秀英华强军静丽'), { minLength: 1, maxLength: 2 }))
  .map(([s, g]) => ({ kind: 'name' as const, text: s + g.join(''), secret: s + g.join('') }));

export const anyPlanted: fc.Arbitrary<Planted> = fc.oneof(mobile, landline, id18, id15, bankCard, plate, wxid, wechat, qq, email, address);

/** Chinese connecting text with no digits or Latin letters, so it can neither form nor hide a planted value. */
const filler = fc.constantFrom('申请人称', '，', '。', '联系', '被拖欠工资，', '；请回电', '现住', '：', '（', '）', ' ', '、', '反映', '据悉');

/** A sentence of ordinary text with planted values; names are the case's parties (to plant where it holds them). */
export function sentence(values: fc.Arbitrary<Planted> = anyPlanted, maxValues = 4): fc.Arbitrary<{ text: string; planted: Planted[] }> {
  return fc.array(fc.tuple(filler, values), { minLength: 1, maxLength: maxValues }).chain((parts) =>
    filler.map((end) => ({ text: parts.map(([f, v]) => f + v.text).join('') + end, planted: parts.map(([, v]) => v) })),
  );
}

/** Output as compared with secrets: NFKC, upper-case, separators inside numbers dropped. */
export function canonical(text: string): string {
  return text.normalize('NFKC').toUpperCase().replace(/[\s\-.·・—()]/g, '');
}

export function leaks(output: string, planted: readonly Planted[]): Planted[] {
  const c = canonical(output);
  return planted.filter((p) => c.includes(canonical(p.secret)));
}

/** Ordinary text the detector must leave alone: dates, amounts, case numbers, area codes, counts, times. */
export const ordinary: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.tuple(fc.integer({ min: 2020, max: 2030 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 })).chain(([y, m, d]) =>
        fc.constantFrom(`${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`, `${y}年${m}月${d}日`, `${y}.${m}.${d}`, `${y}/${m}/${d}`),
      ),
      fc.integer({ min: 1, max: 999_999 }).map((n) => `${n}元`),
      fc.integer({ min: 1, max: 99 }).map((n) => `${n}.5万元`),
      fc.tuple(fc.integer({ min: 2020, max: 2030 }), fc.integer({ min: 1, max: 9999 }), fc.constantFrom('民调', '民初', '执')).map(([y, n, k]) => `（${y}）粤0307${k}${n}号`),
      fc.integer({ min: 1, max: 999 }).map((n) => `440307${String(n).padStart(3, '0')}`),
      fc.integer({ min: 1, max: 999_999 }).map((n) => `440307${String(n).padStart(6, '0')}`),
      fc.integer({ min: 1, max: 500 }).map((n) => `涉及${n}人`),
      fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${h}:${String(m).padStart(2, '0')}`),
      fc.integer({ min: 1, max: 30 }).map((n) => `第${n}次调解`),
    ),
    { minLength: 1, maxLength: 8 },
  )
  .chain((parts) => fc.array(fc.constantFrom('，', '。', '；', '，于', '：'), { minLength: parts.length, maxLength: parts.length }).map((seps) => parts.map((p, i) => p + seps[i]).join('')));
