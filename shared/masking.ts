/**
 * The one masking policy (docs/architecture.md §4; README "Access control and personal data"): the only way text about a case,
 * an alert or a person leaves the server for an audience not entitled to see it unmasked.
 *
 * - Structured fields by kind: names 张*三 / 张*, phones 138****1234, ID numbers by their first 6 and last 4
 *   characters, addresses cut after the street (街道/镇).
 * - Free text (titles, descriptions, notes, reasons) by a detector (`findPersonalData`): mobile and landline numbers in
 *   any common spelling (full-width digits, spaces, - . · （）, +86 / 0086), 15- and 18-digit ID numbers, bank cards,
 *   vehicle plates, WeChat and QQ ids, e-mail addresses, house numbers below the street (…路12号, …栋…室, …村…号),
 *   and the case's own party names wherever they repeat. Text is NFKC-normalised (full-width forms) before detecting;
 *   the masks are written into the original text. Every pattern has bounded repetition, so the work is linear in the
 *   text's length.
 * - The wall (`wallAlertTitle`, `toPublicEvent`) gets no typed text at all: names in an outside system's title cannot
 *   be found reliably, so the wall shows a label built from the alert's level, source or rule and its area.
 */
import type { Party } from './case-context.js';
import type { EventSource } from './vocabulary.js';

export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  if (chars.length === 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

export function maskPhone(phone: string): string {
  // +86 / 86 before a mobile number is the country code, not part of the number.
  const digits = phone.normalize('NFKC').replace(/\D/g, '').replace(/^(?:00)?86(?=1[3-9]\d{9}$)/, '');
  if (/^1[3-9]\d{9}$/.test(digits)) return `${digits.slice(0, 3)}****${digits.slice(7)}`;
  if (digits.length <= 4) return '*'.repeat(digits.length);
  return `${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
}

export function maskIdNumber(id: string): string {
  const clean = id.normalize('NFKC').replace(/[^\dXx]/g, '');
  if (clean.length <= 10) return '*'.repeat(clean.length);
  return `${clean.slice(0, 6)}${'*'.repeat(clean.length - 10)}${clean.slice(-4)}`;
}

/** Keeps an address down to its street (街道) or town (镇), and nothing below; without either, only its first part. */
export function maskAddress(address: string): string {
  const match = /^.*?(街道|镇|乡)/.exec(address);
  if (match) return `${match[0]}…`;
  return address.length > 6 ? `${address.slice(0, 6)}…` : address;
}

// ---- the detector ----

export type PersonalDataKind = 'mobile' | 'landline' | 'idNumber' | 'bankCard' | 'plate' | 'wechat' | 'qq' | 'email' | 'address' | 'name';

/** One piece of personal data in a text: [start, end) in the ORIGINAL text's UTF-16 units, and what replaces it. */
export interface PersonalDataSpan {
  kind: PersonalDataKind;
  start: number;
  end: number;
  mask: string;
}

/** The text NFKC-normalised code point by code point, with where each normalised unit came from in the original. */
interface Normalised {
  text: string;
  /** For each UTF-16 unit of `text`: the original's start and end of the code point it came from. */
  from: number[];
  to: number[];
}

function normalise(original: string): Normalised {
  let text = '';
  const from: number[] = [];
  const to: number[] = [];
  let i = 0;
  for (const ch of original) {
    const c = ch.charCodeAt(0);
    // ASCII and the common CJK ideographs are their own NFKC form: skip the call for them.
    const n = c < 0x80 || (c >= 0x4e00 && c <= 0x9fff) ? ch : ch.normalize('NFKC');
    text += n;
    for (let k = 0; k < n.length; k++) {
      from.push(i);
      to.push(i + ch.length);
    }
    i += ch.length;
  }
  return { text, from, to };
}

/** Separators people put inside a number: spaces, - . · ・ • / ( ) + and dashes (full-width ones are NFKC'd to these). */
const NUMBER_SEPARATOR = /[\s\-.·・•()+/–—‐]/;
const MAX_SEPARATORS = 3;
/** The longest number a window may hold: a 19-digit card, or 0086 before a 12-digit landline. */
const MAX_WINDOW_DIGITS = 19;
const PHONE_KEYWORD = /(?:电话|手机|座机|固话|联系方式|联系|号码|致电|拨打|tel|phone|call)[^\d]{0,4}$/i;

interface Group {
  start: number;
  end: number;
  digits: string;
}

function digitGroups(text: string): Group[][] {
  const runs: Group[][] = [];
  let run: Group[] = [];
  let i = 0;
  while (i < text.length) {
    if (!isDigit(text, i)) {
      i++;
      continue;
    }
    const start = i;
    while (i < text.length && isDigit(text, i)) i++;
    // A check character X ends an ID number: 44030519900101123X (not the x of 3x4 or of a word).
    if (i < text.length && /[Xx]/.test(text[i]!) && !(i + 1 < text.length && /[A-Za-z\d]/.test(text[i + 1]!))) i++;
    const group = { start, end: i, digits: text.slice(start, i).toUpperCase() };
    const last = run[run.length - 1];
    if (last && !/X$/.test(last.digits) && joinedBySeparators(text, last.end, start)) run.push(group);
    else {
      if (run.length > 0) runs.push(run);
      run = [group];
    }
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

function isDigit(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 48 && c <= 57;
}

function joinedBySeparators(text: string, from: number, to: number): boolean {
  if (to - from > MAX_SEPARATORS) return false;
  for (let k = from; k < to; k++) if (!NUMBER_SEPARATOR.test(text[k]!)) return false;
  return true;
}

const LANDLINE = /^0(?:[12]\d|[3-9]\d{2})[2-9]\d{6,7}$/;

/** Whether `digits` can be a number of any kind at all: most windows of a long run are not, and are left at that. */
function plausible(digits: string): boolean {
  const len = digits.length;
  const first = digits[0]!;
  if (len >= 15) return true;
  if (len <= 8) return first >= '2';
  return first === '0' || first === '8' || (first === '1' && len === 11);
}

/** What groups i..j of a run (their digits joined) are, as people write each kind; null when none of them. */
function classify(run: Group[], i: number, j: number, digits: string, text: string): { kind: PersonalDataKind; mask: string; local: boolean } | null {
  if (!plausible(digits)) return null;
  const groups = run.slice(i, j + 1);
  const x = digits.endsWith('X');
  const body = x ? digits.slice(0, -1) : digits;
  if (!x) {
    const national = body.replace(/^(?:0086|86)(?=\d{10,11}$)/, '');
    const hasCountry = national !== body;
    if (/^1[3-9]\d{9}$/.test(national)) return { kind: 'mobile', mask: maskPhone(national), local: false };
    const trunk = hasCountry && !national.startsWith('0') ? `0${national}` : national;
    if (LANDLINE.test(trunk)) return { kind: 'landline', mask: `${trunk.slice(0, trunk.length - 8 < 3 ? 3 : trunk.length - 8)}-****${trunk.slice(-4)}`, local: false };
  }
  // An ID number in one piece, or spread over groups from its 6-digit region on or in fours, with a birth date where
  // it belongs (never a date and a count).
  const id = /^\d{17}[\dX]$/.test(digits) ? digits.slice(6, 14) : /^\d{15}$/.test(digits) ? `19${digits.slice(6, 12)}` : null;
  const idShape = groups.length === 1 || groups[0]!.digits.length === 6 || groups.slice(0, -1).every((g) => g.digits.length === 4);
  if (id !== null && idShape && (groups.length === 1 || /^(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$/.test(id))) return { kind: 'idNumber', mask: maskIdNumber(digits), local: false };
  if (!x && /^[3-69]\d{15,18}$/.test(body)) {
    // A card as printed (groups of four, the last shorter) or in one piece; a date beside a number is neither.
    const asCard = groups.length === 1 || groups.every((g, i) => (i < groups.length - 1 ? g.digits.length === 4 : g.digits.length <= 4 || groups.length === 2));
    if (asCard) return { kind: 'bankCard', mask: `${'*'.repeat(body.length - 4)}${body.slice(-4)}`, local: false };
  }
  const localShape = groups.length === 1 || (groups.length === 2 && groups[0]!.digits.length >= 3 && groups[1]!.digits.length === 4);
  if (!x && localShape && /^[2-9]\d{6,7}$/.test(body) && PHONE_KEYWORD.test(text.slice(Math.max(0, groups[0]!.start - 12), groups[0]!.start))) {
    return { kind: 'landline', mask: `****${body.slice(-4)}`, local: true };
  }
  return null;
}

/**
 * Numbers: each run of digit groups is tried window by window, never splitting a group. Every group inside a window
 * that is a number of some kind is masked (overlapping windows together), so a misread window cannot leave part of a
 * number behind; a bare local number after a word like 电话 counts only where no other window does.
 */
function numberSpans(text: string): Array<Omit<PersonalDataSpan, 'start' | 'end'> & { s: number; e: number }> {
  const out: Array<Omit<PersonalDataSpan, 'start' | 'end'> & { s: number; e: number }> = [];
  for (const run of digitGroups(text)) {
    // A date, an amount or a count: too few digits for any kind of number.
    if (run.reduce((n, g) => n + g.digits.length, 0) < 7) continue;
    const windows: Array<{ i: number; j: number; kind: PersonalDataKind; mask: string; local: boolean }> = [];
    for (let i = 0; i < run.length; i++) {
      let digits = '';
      for (let j = i; j < run.length; j++) {
        digits += run[j]!.digits;
        if (digits.length > MAX_WINDOW_DIGITS + 4) break;
        if (digits.length < 7) continue;
        const hit = classify(run, i, j, digits, text);
        if (hit) windows.push({ i, j, ...hit });
      }
    }
    const covered = new Array<boolean>(run.length).fill(false);
    for (const w of windows) if (!w.local) for (let k = w.i; k <= w.j; k++) covered[k] = true;
    const chosen = windows.filter((w) => !w.local || !run.slice(w.i, w.j + 1).some((_, k) => covered[w.i + k]));
    chosen.sort((a, b) => a.i - b.i || b.j - a.j);
    for (let c = 0; c < chosen.length; ) {
      const first = chosen[c]!;
      let j = first.j;
      let n = c + 1;
      while (n < chosen.length && chosen[n]!.i <= j) j = Math.max(j, chosen[n++]!.j);
      const digits = run.slice(first.i, j + 1).map((g) => g.digits).join('');
      const mask = j === first.j ? first.mask : `${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
      let s = run[first.i]!.start;
      // The + of +86 and the ( of (0755) belong to the number.
      while (s > 0 && (text[s - 1] === '+' || text[s - 1] === '(')) s--;
      out.push({ kind: first.kind, mask, s, e: run[j]!.end });
      c = n;
    }
  }
  return out;
}

const PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领';
/** 粤B12345, 粤B·12345, 粤b 12345, new-energy 粤BD12345, 粤B1234学/挂. */
const PLATE = new RegExp(`([${PROVINCES}])\\s?([A-HJ-NP-Z])[\\s·・•.\\-]?((?:[A-HJ-NP-Z\\d]{5,6})|(?:[A-HJ-NP-Z\\d]{4}[挂学警港澳]))(?![A-Za-z\\d])`, 'gi');
const WXID = /(?<![A-Za-z\d_])wxid_[A-Za-z\d_-]{3,40}/gi;
/** 微信号: abc_123, 微信 abc123, VX：abc123, wechat id abc123 — the id after the word. */
const WECHAT_AFTER_WORD = /(?<![A-Za-z])(?:微信号?|微信ID|weixin|wechat(?:\s?id)?|vx|v信|wx)(?:号|账号|帐号)?\s{0,3}[:：=]?\s{0,3}([A-Za-z][A-Za-z\d_-]{4,39})(?![A-Za-z\d_-])/gi;
const QQ = /(?:QQ|扣扣)(?:号码?|号)?\s{0,3}[:：=]?\s{0,3}(\d{5,11})(?!\d)/gi;
const EMAIL = /[A-Za-z\d._%+-]{1,64}@[A-Za-z\d-]{1,63}(?:\.[A-Za-z\d-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![A-Za-z\d-])/g;
/**
 * House numbers below the street: after a road, lane, village, estate or building word, the run of numbered units
 * (12号, 3栋, 2单元, 501室, 3巷, 5组) is masked and the words kept: 风门路**号**栋**室.
 */
const PLACE_WORD = '(?:大道|街道|路|街|巷|弄|里|胡同|村|屯|庄|寨|组|社区|小区|花园|家园|新村|公寓|大厦|广场|苑|园|庭|府|湾|城|宿舍|工业区|厂区|大院)';
const UNIT = '(?:号楼|号院|号|栋|幢|座|单元|室|楼|层|户|弄|巷|排|房|组)';
const HOUSE_NUMBER = new RegExp(`${PLACE_WORD}\\s?((?:(?:[\\dA-Za-z一二三四五六七八九十百零〇两]{1,6}(?:-[\\dA-Za-z]{1,6})?)\\s?${UNIT}\\s?){1,6})`, 'g');

function regexSpans(text: string, re: RegExp, kind: PersonalDataKind, mask: (m: RegExpExecArray) => { s: number; e: number; mask: string }): Array<Omit<PersonalDataSpan, 'start' | 'end'> & { s: number; e: number }> {
  const out: Array<Omit<PersonalDataSpan, 'start' | 'end'> & { s: number; e: number }> = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ kind, ...mask(m) });
    if (m[0].length === 0) re.lastIndex++;
  }
  return out;
}

/** The captured group's span within a match (the word before it stays). */
function groupSpan(m: RegExpExecArray, group: number): { s: number; e: number } {
  const value = m[group]!;
  const s = m.index + m[0].lastIndexOf(value);
  return { s, e: s + value.length };
}

/**
 * Every piece of personal data in a text, by kind, in order and without overlaps. `names` are the parties' names the
 * case holds (free text repeats them); names in text are otherwise not detectable.
 */
export function findPersonalData(original: string, names: readonly string[] = []): PersonalDataSpan[] {
  const n = normalise(original);
  const text = n.text;
  const found = [
    ...regexSpans(text, EMAIL, 'email', (m) => {
      const at = m[0].indexOf('@');
      return { s: m.index, e: m.index + m[0].length, mask: `${m[0][0]}***${m[0].slice(at)}` };
    }),
    ...regexSpans(text, WXID, 'wechat', (m) => ({ s: m.index, e: m.index + m[0].length, mask: 'wxid_****' })),
    ...regexSpans(text, WECHAT_AFTER_WORD, 'wechat', (m) => ({ ...groupSpan(m, 1), mask: '****' })),
    ...regexSpans(text, QQ, 'qq', (m) => ({ ...groupSpan(m, 1), mask: '*'.repeat(m[1]!.length) })),
    ...regexSpans(text, PLATE, 'plate', (m) => ({ s: m.index, e: m.index + m[0].length, mask: `${m[1]}${m[2]!.toUpperCase()}${'*'.repeat(m[3]!.length)}` })),
    ...regexSpans(text, HOUSE_NUMBER, 'address', (m) => {
      const span = groupSpan(m, 1);
      return { ...span, mask: m[1]!.replace(/[\dA-Za-z一二三四五六七八九十百零〇两]/g, '*').replace(/\*+/g, '**') };
    }),
    ...numberSpans(text),
  ];
  const spans: PersonalDataSpan[] = found.map((f) => ({ kind: f.kind, start: n.from[f.s]!, end: n.to[f.e - 1]!, mask: f.mask }));
  // Names are matched in the original text: the case holds them as they were written.
  for (const name of [...new Set(names.map((x) => x.trim()))].filter((x) => [...x].length >= 2)) {
    for (let at = original.indexOf(name); at >= 0; at = original.indexOf(name, at + name.length)) spans.push({ kind: 'name', start: at, end: at + name.length, mask: maskName(name) });
  }
  return merge(spans);
}

/** In order, without overlaps: overlapping finds become one span masked whole. */
function merge(spans: PersonalDataSpan[]): PersonalDataSpan[] {
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: PersonalDataSpan[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) {
      if (s.end > last.end) out[out.length - 1] = { kind: last.kind, start: last.start, end: s.end, mask: `${last.mask}${'*'.repeat(Math.min(8, s.end - last.end))}` };
      continue;
    }
    out.push(s);
  }
  return out;
}

/** Free text with every piece of personal data the detector finds masked, and the case's own party names. */
export function maskText(text: string, names: readonly string[] = []): string {
  const spans = findPersonalData(text, names);
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + s.mask;
    at = s.end;
  }
  return out + text.slice(at);
}

/** The parties' own names where free text repeats them (申请人张三丰称…): the names the case holds are known. */
export function maskNamesIn(text: string, names: readonly string[]): string {
  let out = text;
  for (const name of [...new Set(names.map((n) => n.trim()))].filter((n) => [...n].length >= 2).sort((a, b) => b.length - a.length)) {
    out = out.split(name).join(maskName(name));
  }
  return out;
}

/** The masker of one case's free text: the detector plus the names its parties hold. */
export function caseTextMasker(parties: readonly Pick<Party, 'name'>[]): (text: string) => string {
  const names = parties.map((p) => p.name);
  return (text) => maskText(text, names);
}

export function maskParty(party: Party): Party {
  return {
    role: party.role,
    name: maskName(party.name),
    ...(party.phone !== undefined && { phone: maskPhone(party.phone) }),
    ...(party.idNumber !== undefined && { idNumber: maskIdNumber(party.idNumber) }),
  };
}

// ---- the wall ----

const SOURCE_ZH: Record<EventSource, string> = { grid: '网格员', hotline: '12345热线', walkin: '来访', court: '法院', police: '公安', online: '网上', system: '系统' };

/**
 * What the wall shows as an alert's title. A risk rule's title is the server's own (area, category and figures:
 * server/domain/risk/titles.ts); an outside system's title is typed text that may name a person, so the wall gets a
 * label instead — the source — beside the level and place it already shows.
 */
export function wallAlertTitle(alert: { source: EventSource; rule?: string; title: string }): string {
  if (alert.rule !== undefined && alert.source === 'system') return alert.title;
  return `外部预警 · ${SOURCE_ZH[alert.source] ?? '外部系统'}报送`;
}

/**
 * An alert for the desks and the leader: its outside system's title and description, and the officers' acknowledge
 * and close notes, through the detector (an alert knows no party names).
 */
export function maskAlert<A extends { title: string; description?: string; acknowledged?: { note?: string }; closed?: { note: string } }>(alert: A): A {
  return {
    ...alert,
    title: maskText(alert.title),
    ...(alert.description !== undefined && { description: maskText(alert.description) }),
    ...(alert.acknowledged && { acknowledged: { ...alert.acknowledged, ...(alert.acknowledged.note !== undefined && { note: maskText(alert.acknowledged.note) }) } }),
    ...(alert.closed && { closed: { ...alert.closed, note: maskText(alert.closed.note) } }),
  };
}
