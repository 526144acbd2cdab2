/**
 * Loads the risk settings from data/risk/ (rules.json, periods.json, score.json) and validates them with the shared
 * schemas at start-up: a bad threshold must stop the server with the file and field named, not quietly switch a rule
 * off. Also keeps the identity key that turns ID numbers and respondents' names into keyed hashes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { periodsSchema, rulesSchema, scoreSchema, type RiskRules, type RiskScoreSettings, type SensitivePeriod } from '../shared/risk.js';
import { dataRoot } from './district-data.js';
import { secretFile } from './secret-file.js';

export class RiskDataError extends Error {
  override name = 'RiskDataError';
}

export interface RiskSettings {
  rules: RiskRules;
  periods: SensitivePeriod[];
  score: RiskScoreSettings;
}

/** `spike.levels[0].maxPValue`: the way the files are read. */
function fieldPath(p: ReadonlyArray<PropertyKey>): string {
  return p.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), '') || '(file)';
}

/** The file as the operator would find it: relative to the working directory when it is below it. */
function label(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function readValid<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new RiskDataError(`missing data file ${label(file)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new RiskDataError(`${label(file)} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new RiskDataError(parsed.error.issues.map((i) => `${label(file)}: ${fieldPath(i.path)}: ${i.message}`).join('\n'));
  return parsed.data;
}

/**
 * Checks the schemas cannot express: unique period ids and known categories. (A level may appear in several steps
 * of one rule: the steps are alternatives, e.g. orange for severity 5 after 48 h or for severity 4 after 168 h.)
 */
function crossCheck(periodsFile: string, periods: SensitivePeriod[], categoryCodes: readonly string[]): void {
  const problems: string[] = [];
  const known = new Set(categoryCodes);
  const ids = new Set<string>();
  periods.forEach((p, i) => {
    if (ids.has(p.id)) problems.push(`${label(periodsFile)}: [${i}].id: period id "${p.id}" is used twice`);
    ids.add(p.id);
    p.categories.forEach((c, j) => {
      if (!known.has(c)) problems.push(`${label(periodsFile)}: [${i}].categories[${j}]: unknown category "${c}" (known: ${categoryCodes.join(', ')})`);
    });
  });
  if (problems.length) throw new RiskDataError(problems.join('\n'));
}

export function loadRiskSettings(categoryCodes: readonly string[], root = dataRoot): RiskSettings {
  const dir = path.join(root, 'risk');
  const files = { rules: path.join(dir, 'rules.json'), periods: path.join(dir, 'periods.json'), score: path.join(dir, 'score.json') };
  const rules = readValid(files.rules, rulesSchema);
  const periods = readValid(files.periods, periodsSchema);
  const score = readValid(files.score, scoreSchema);
  crossCheck(files.periods, periods, categoryCodes);
  return { rules, periods, score };
}

const KEY_FILE = 'identity.key';
const KEY_BYTES = 32;

/**
 * The HMAC key for people and respondents: the configured value if given, else a random key created once in
 * `<dataDir>/identity.key` (mode 0600) and reused, so hashes stay stable across restarts. Losing the file only
 * means repeat petitioners are recognised afresh after a rebuild; it never exposes anyone.
 */
export function identityKey(dataDir: string, fromEnv?: string): Buffer {
  if (fromEnv !== undefined && fromEnv !== '') {
    if (Buffer.byteLength(fromEnv, 'utf8') < 16) throw new RiskDataError('the risk identity key must be at least 16 characters');
    return Buffer.from(fromEnv, 'utf8');
  }
  try {
    return secretFile(dataDir, KEY_FILE, KEY_BYTES);
  } catch (e) {
    throw new RiskDataError((e as Error).message);
  }
}
