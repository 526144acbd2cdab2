import { describe, expect, it } from 'vitest';
import { applicant, DAY, Harness, T0, only, raised, updated } from './builders.js';

const ID = '44030719900101123x';
const petition = (idNumber = ID, petitionLevel?: 'street' | 'district' | 'city' | 'province' | 'national') => ({
  kind: 'petition' as const,
  parties: [applicant(idNumber)],
  ...(petitionLevel && { petitionLevel }),
});

describe('repeat petition rule', () => {
  it('fires on the third petition by the same person in 30 days, recognised by the ID number however typed', () => {
    const h = new Harness(only('repeatPetition'));
    expect(h.live(T0, petition(ID))).toEqual([]);
    expect(h.live(T0 + 10 * DAY, petition(' 44030719900101123X '))).toEqual([]);
    const third = h.live(T0 + 20 * DAY, petition('４４０３０７１９９００１０１１２３Ｘ'));
    const alert = raised(third)[0]!.data;
    expect(alert).toMatchObject({ rule: 'repeatPetition', level: 'yellow', facts: { petitions: 3, withinDays: 30 }, title: '岗头社区重复信访：同一信访人30天内3次' });
    expect(alert.scope).toMatchObject({ kind: 'person', key: expect.stringMatching(/^[\w-]{43}$/) });
    expect(alert.caseIds).toHaveLength(3);
    expect(JSON.stringify(third)).not.toMatch(/19900101123|１９９/i);
    expect(updated(h.live(T0 + 21 * DAY, petition()))[0]!.data.facts).toMatchObject({ petitions: 4 });
    expect(updated(h.live(T0 + 22 * DAY, petition()))[0]!.data.level).toBe('orange');
  });

  it('does not fire on two petitions, petitions over more than 30 days, disputes, or applicants without an ID number', () => {
    const h = new Harness(only('repeatPetition'));
    h.live(T0, petition());
    h.live(T0 + 25 * DAY, petition());
    expect(h.live(T0 + 31 * DAY, petition())).toEqual([]);
    expect(h.live(T0 + 32 * DAY, { kind: 'dispute', parties: [applicant()] })).toEqual([]);
    expect(h.live(T0 + 33 * DAY, { kind: 'petition', parties: [{ role: 'applicant', name: '张三丰' }] })).toEqual([]);
    expect(h.live(T0 + 34 * DAY, petition('440307198505052222'))).toEqual([]);
  });
});

describe('skip-tier rule (越级)', () => {
  it('fires on a petition above the district with nothing lodged lower, at the level of how far it skipped', () => {
    const h = new Harness(only('repeatPetition'));
    const city = raised(h.live(T0, petition('440307198001010011', 'city')))[0]!.data;
    expect(city).toMatchObject({ rule: 'skipTier', level: 'yellow', facts: { petitionLevel: 'city', petitions: 1, lookbackDays: 90 }, scope: { kind: 'person' } });
    expect(city.title).toBe('岗头社区越级信访：未经街道、区直接到市级信访');
    expect(raised(h.live(T0, petition('440307198001010022', 'province')))[0]!.data.level).toBe('orange');
    expect(raised(h.live(T0, petition('440307198001010033', 'national')))[0]!.data.level).toBe('red');
  });

  it('does not fire when the person petitioned at street or district level within the lookback', () => {
    const h = new Harness(only('repeatPetition'));
    h.live(T0, petition('440307198001010044', 'street'));
    expect(h.live(T0 + 30 * DAY, petition('440307198001010044', 'city'))).toEqual([]);
    // No level given counts as the district.
    h.live(T0, petition('440307198001010055'));
    expect(h.live(T0 + 89 * DAY, petition('440307198001010055', 'national'))).toEqual([]);
  });

  it('fires when the lower petition is older than the lookback', () => {
    const h = new Harness(only('repeatPetition'));
    h.live(T0, petition('440307198001010066', 'district'));
    expect(raised(h.live(T0 + 91 * DAY, petition('440307198001010066', 'province')))[0]!.data.rule).toBe('skipTier');
  });
});
