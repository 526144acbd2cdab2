import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskAddress, maskIdNumber, maskName, maskNamesIn, maskParty, maskPhone, maskText } from '../../shared/masking.js';

const STANDALONE_PHONE = /(?<!\d)1[3-9]\d{9}(?!\d)/;
const STANDALONE_ID = /(?<!\d)\d{17}[\dXx](?![\dXx])/;

describe('masking personal data', () => {
  it('masks names as 张*三 / 张*, keeping only the first and last characters', () => {
    expect(maskName('张三丰')).toBe('张*丰');
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳明月')).toBe('欧**月');
    expect(maskName('李')).toBe('*');
    expect(maskName('')).toBe('');
  });

  it('masks mobile numbers as 138****1234 and other numbers to their last four digits', () => {
    expect(maskPhone('13800001234')).toBe('138****1234');
    expect(maskPhone('138-0000-1234')).toBe('138****1234');
    expect(maskPhone('0755-84561234')).toBe('********1234');
  });

  it('keeps the first 6 and last 4 characters of an ID number', () => {
    expect(maskIdNumber('440307199001011234')).toBe('440307********1234');
    expect(maskIdNumber('44030719900101123X')).toBe('440307********123X');
  });

  it('cuts addresses after the street or town', () => {
    expect(maskAddress('深圳市龙岗区坂田街道岗头社区风门路12号3栋502')).toBe('深圳市龙岗区坂田街道…');
    expect(maskAddress('某某镇某某村5号')).toBe('某某镇…');
    expect(maskAddress('风门路12号3栋')).toBe('风门路12号…');
  });

  it('masks phone and ID numbers inside free text, and leaves other numbers alone', () => {
    expect(maskText('张三 13800001234 称被拖欠工资，身份证440307199001011234，涉及12人')).toBe('张三 138****1234 称被拖欠工资，身份证440307********1234，涉及12人');
    expect(maskText('订单号 123456789012345678901')).toBe('订单号 123456789012345678901');
    expect(maskText('电话186-8888-9999或+86 17711112222，138 0000 1234')).toBe('电话186****9999或177****2222，138****1234');
  });

  it('leaves no standalone phone or ID number in any text', () => {
    const phone = fc.tuple(fc.constantFrom(...'3456789'), fc.stringMatching(/^\d{9}$/)).map(([second, rest]) => `1${second}${rest}`);
    const id = fc.tuple(fc.stringMatching(/^\d{17}$/), fc.constantFrom(...'0123456789Xx')).map(([body, check]) => body + check);
    const other = fc.string({ maxLength: 12 }).map((t) => t.replace(/\d/g, ''));
    const separator = fc.constantFrom(' ', '，', ':', '张', '-', '(');
    const text = fc.array(fc.tuple(fc.oneof(phone, id, other), separator), { maxLength: 12 }).map((parts) => parts.map(([p, s]) => p + s).join(''));
    fc.assert(
      fc.property(text, (t) => {
        const masked = maskText(t);
        expect(masked).not.toMatch(STANDALONE_PHONE);
        expect(masked).not.toMatch(STANDALONE_ID);
      }),
      { numRuns: 2000 },
    );
  });

  it("masks the parties' own names where free text repeats them", () => {
    expect(maskNamesIn('申请人张三丰称被欧阳明月拖欠工资，张三丰多次讨要', ['张三丰', '欧阳明月', '李'])).toBe('申请人张*丰称被欧**月拖欠工资，张*丰多次讨要');
  });

  it('masks every field of a party and keeps its role', () => {
    expect(maskParty({ role: 'applicant', name: '张三丰', phone: '13800001234', idNumber: '440307199001011234' })).toEqual({
      role: 'applicant',
      name: '张*丰',
      phone: '138****1234',
      idNumber: '440307********1234',
    });
    expect(maskParty({ role: 'respondent', name: '某电子厂' })).toEqual({ role: 'respondent', name: '某**厂' });
  });
});
