/** Made-up but well-formed parties: names, mobile numbers and 18-character resident ID numbers. */
import type { PartyRole } from '../../shared/vocabulary.js';
import type { Rng } from './random.js';
import { GIVEN_CHARS, ID_REGIONS, SURNAMES } from './vocab.js';

export interface Person {
  name: string;
  phone: string;
  idNumber: string;
}

export interface SimParty {
  role: PartyRole;
  name: string;
  phone?: string;
  idNumber?: string;
}

export function fakeName(rng: Rng): string {
  const given = rng.chance(0.7) ? rng.pick(GIVEN_CHARS) + rng.pick(GIVEN_CHARS) : rng.pick(GIVEN_CHARS);
  return rng.pick(SURNAMES) + given;
}

/** Mainland mobile: 1, then 3–9, then nine digits. */
export function fakePhone(rng: Rng): string {
  let phone = `1${rng.int(3, 9)}`;
  for (let i = 0; i < 9; i++) phone += String(rng.int(0, 9));
  return phone;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** GB 11643 check character (ISO 7064 MOD 11-2), so numbers pass the format checks real systems run. */
export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11]!;
}

export function fakeIdNumber(rng: Rng): string {
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const birth = `${rng.int(1955, 2004)}${pad(rng.int(1, 12), 2)}${pad(rng.int(1, 28), 2)}`;
  const first17 = rng.pick(ID_REGIONS) + birth + pad(rng.int(0, 999), 3);
  return first17 + idCheckChar(first17);
}

export function fakePerson(rng: Rng): Person {
  return { name: fakeName(rng), phone: fakePhone(rng), idNumber: fakeIdNumber(rng) };
}

/** An individual respondent usually has a phone on file but no ID number yet. */
export function respondentPerson(rng: Rng): SimParty {
  return { role: 'respondent', name: fakeName(rng), ...(rng.chance(0.6) ? { phone: fakePhone(rng) } : {}) };
}
