/**
 * People and respondents are recognised again by a keyed hash (HMAC-SHA256) of their normalised ID number or name,
 * never by the value itself: an alert, a log line or a snapshot can name "the same person" without holding who.
 * Without the key the hashes cannot be reversed by trying every ID number (there are only ~10^11 plausible ones).
 */
import { createHash, createHmac } from 'node:crypto';

/** 居民身份证号: full-width digits and spaces as typed, a lowercase check letter x. */
export function normaliseIdNumber(raw: string): string {
  return raw.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

/** A respondent's name as people type it: full-width → half-width (NFKC), spaces trimmed and collapsed, case folded. */
export function normaliseName(raw: string): string {
  return raw.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

export class Identity {
  readonly #key: Buffer;

  constructor(key: Buffer | string) {
    this.#key = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
    if (this.#key.length < 16) throw new RangeError('the identity key must be at least 16 bytes');
  }

  /** Scope key of a person, from an ID number; undefined when nothing is left after normalising. */
  person(idNumber: string): string | undefined {
    const id = normaliseIdNumber(idNumber);
    return id ? this.#hash('person', id) : undefined;
  }

  respondent(name: string): string | undefined {
    const n = normaliseName(name);
    return n ? this.#hash('respondent', n) : undefined;
  }

  /** Names the key without revealing it: a snapshot made under another key must not be restored. */
  tag(): string {
    return createHash('sha256').update(this.#hash('tag', 'risk-engine')).digest('hex').slice(0, 16);
  }

  #hash(kind: string, value: string): string {
    return createHmac('sha256', this.#key).update(`${kind}\u0000${value}`).digest('base64url');
  }
}
