import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { identityKey, loadRiskSettings } from '../../../server/risk-data.js';
import { dataRoot, loadDistrictData } from '../../../server/district-data.js';

const categories = loadDistrictData('longgang').categories.map((c) => c.code);
const repoRules = () => JSON.parse(fs.readFileSync(path.join(dataRoot, 'risk', 'rules.json'), 'utf8'));
const repoPeriods = () => JSON.parse(fs.readFileSync(path.join(dataRoot, 'risk', 'periods.json'), 'utf8'));

/** A data root in a temp dir with the repository's risk files, some of them replaced. */
function root(files: Partial<Record<'rules' | 'periods' | 'score', unknown>> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-risk-'));
  fs.mkdirSync(path.join(dir, 'risk'));
  for (const name of ['rules', 'periods', 'score'] as const) {
    const text = name in files ? (typeof files[name] === 'string' ? (files[name] as string) : JSON.stringify(files[name])) : fs.readFileSync(path.join(dataRoot, 'risk', `${name}.json`), 'utf8');
    fs.writeFileSync(path.join(dir, 'risk', `${name}.json`), text);
  }
  return dir;
}

describe('risk settings', () => {
  it('loads the files in data/risk, with the sensitive periods they must hold', () => {
    const { rules, periods, score } = loadRiskSettings(categories);
    expect(rules.spike.enabled).toBe(true);
    expect(periods.map((p) => p.id)).toEqual(expect.arrayContaining(['spring-festival-wages-2026', 'spring-festival-wages-2027', 'two-sessions-2026']));
    // Spring Festival 2027 is on 6 February: the wage period ends the day before.
    expect(periods.find((p) => p.id === 'spring-festival-wages-2027')).toMatchObject({ to: '2027-02-05', categories: ['labour'] });
    expect(score.severity.points + score.alerts.points + score.overdue.points + score.trend.points).toBe(100);
  });

  it('names the file and the field path of a bad value', () => {
    const rules = repoRules();
    rules.spike.windowHours = 500;
    rules.collective.people[0].minPeople = 0;
    const dir = root({ rules });
    let message = '';
    try {
      loadRiskSettings(categories, dir);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/risk\/rules\.json: spike\.windowHours: /);
    expect(message).toMatch(/risk\/rules\.json: collective\.people\[0\]\.minPeople: /);
  });

  it('names unknown fields, empty steps, bad JSON and a missing file', () => {
    const rules = repoRules();
    rules.spike.windowHourz = 3;
    expect(() => loadRiskSettings(categories, root({ rules }))).toThrow(/rules\.json: spike: .*windowHourz/);
    const empty = repoRules();
    empty.repeatPetition.skipTier.levels = [];
    expect(() => loadRiskSettings(categories, root({ rules: empty }))).toThrow(/rules\.json: repeatPetition\.skipTier\.levels: give at least one level/);
    expect(() => loadRiskSettings(categories, root({ score: '{ "severity": ' }))).toThrow(/score\.json is not valid JSON/);
    const dir = root();
    fs.rmSync(path.join(dir, 'risk', 'periods.json'));
    expect(() => loadRiskSettings(categories, dir)).toThrow(/missing data file .*periods\.json/);
  });

  it('checks every period category exists and the dates are in order', () => {
    const periods = repoPeriods();
    periods[1].categories.push('wages');
    periods.push({ ...periods[0] });
    expect(() => loadRiskSettings(categories, root({ periods }))).toThrow(/periods\.json: \[4\]\.id: period id "spring-festival-wages-2026" is used twice/);
    expect(() => loadRiskSettings(categories, root({ periods }))).toThrow(/periods\.json: \[1\]\.categories\[\d\]: unknown category "wages"/);
    const backwards = repoPeriods();
    backwards[0].to = '2025-01-01';
    expect(() => loadRiskSettings(categories, root({ periods: backwards }))).toThrow(/periods\.json: \[0\]\.to: `from` must not be after `to`/);
  });
});

describe('identity key', () => {
  it('creates a 32-byte key once, readable by the owner only, and reuses it', () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-key-')), 'longgang');
    const key = identityKey(dir);
    expect(key).toHaveLength(32);
    expect(fs.statSync(path.join(dir, 'identity.key')).mode & 0o777).toBe(0o600);
    expect(identityKey(dir).equals(key)).toBe(true);
  });

  it('takes the configured value instead, and refuses a short one or a damaged file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-key-'));
    expect(identityKey(dir, 'a-configured-key-of-some-length').toString()).toBe('a-configured-key-of-some-length');
    expect(fs.existsSync(path.join(dir, 'identity.key'))).toBe(false);
    expect(() => identityKey(dir, 'short')).toThrow(/at least 16/);
    fs.writeFileSync(path.join(dir, 'identity.key'), 'abc');
    expect(() => identityKey(dir)).toThrow(/32 bytes/);
  });
});
