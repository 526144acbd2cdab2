/**
 * Masking of personal data for every audience that does not need it (DESIGN.md §4, issue 6): the server applies it
 * before anything leaves; unmasking one case is a separate, audited request. Formats follow common Chinese practice:
 * 张*三 / 张*, 138****1234, the first 6 and last 4 digits of an ID number, addresses cut after the street (街道/镇).
 */
import type { Party } from './events.js';

export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  if (chars.length === 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

export function maskPhone(phone: string): string {
  // +86 / 86 before a mobile number is the country code, not part of the number.
  const digits = phone.replace(/\D/g, '').replace(/^86(?=1[3-9]\d{9}$)/, '');
  if (/^1[3-9]\d{9}$/.test(digits)) return `${digits.slice(0, 3)}****${digits.slice(7)}`;
  if (digits.length <= 4) return '*'.repeat(digits.length);
  return `${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
}

export function maskIdNumber(id: string): string {
  const clean = id.trim();
  if (clean.length <= 10) return '*'.repeat(clean.length);
  return `${clean.slice(0, 6)}${'*'.repeat(clean.length - 10)}${clean.slice(-4)}`;
}

/** Keeps an address down to its street (街道) or town (镇), and nothing below; without either, only its first part. */
export function maskAddress(address: string): string {
  const match = /^.*?(街道|镇|乡)/.exec(address);
  if (match) return `${match[0]}…`;
  return address.length > 6 ? `${address.slice(0, 6)}…` : address;
}

/** Mobile numbers as people write them: 13800001234, 138-0000-1234, 138 0000 1234, +86 138…. */
const PHONE_IN_TEXT = /(?<![\d+])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)/g;
const ID_IN_TEXT = /(?<!\d)\d{17}[\dXx](?![\dXx])/g;

/** Phone and ID numbers inside free text (titles, descriptions, notes). Names in free text cannot be found reliably. */
export function maskText(text: string): string {
  return text.replace(ID_IN_TEXT, maskIdNumber).replace(PHONE_IN_TEXT, maskPhone);
}

/** The parties' own names where free text repeats them (申请人张三丰称…): the names the case holds are known. */
export function maskNamesIn(text: string, names: readonly string[]): string {
  let out = text;
  for (const name of [...new Set(names.map((n) => n.trim()))].filter((n) => [...n].length >= 2).sort((a, b) => b.length - a.length)) {
    out = out.split(name).join(maskName(name));
  }
  return out;
}

export function maskParty(party: Party): Party {
  return {
    role: party.role,
    name: maskName(party.name),
    ...(party.phone !== undefined && { phone: maskPhone(party.phone) }),
    ...(party.idNumber !== undefined && { idNumber: maskIdNumber(party.idNumber) }),
  };
}
