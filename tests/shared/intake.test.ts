import { describe, expect, it } from 'vitest';
import { intakeEventSchema, zodFieldErrors } from '../../shared/intake.js';
import { alertRaised, caseReported, caseResolved } from '../helpers/factories.js';

const errorsOf = (value: unknown) => {
  const r = intakeEventSchema.safeParse(value);
  return r.success ? [] : zodFieldErrors(r.error);
};

describe('intake schemas', () => {
  it('accepts each event type and fills defaults', () => {
    const parsed = intakeEventSchema.parse(caseReported({ peopleInvolved: undefined, parties: undefined }));
    expect(parsed.type === 'case.reported' && [parsed.peopleInvolved, parsed.parties]).toEqual([1, []]);
    expect(intakeEventSchema.safeParse(caseResolved('x')).success).toBe(true);
    expect(intakeEventSchema.safeParse(alertRaised({ communityCode: undefined })).success).toBe(true);
  });

  it('names every bad field with its path', () => {
    const errors = errorsOf({ ...caseReported(), severity: 9, streetCode: '4403', parties: [{ role: 'applicant', name: '', phone: 'abc' }] });
    expect(errors.map((e) => e.path).sort()).toEqual(['parties[0].name', 'parties[0].phone', 'severity', 'streetCode']);
  });

  it('rejects unknown keys, unknown types and bad timestamps', () => {
    expect(errorsOf({ ...caseReported(), colour: 'red' })[0]!.message).toMatch(/colour/);
    expect(errorsOf({ ...caseReported(), type: 'case.deleted' })[0]!.path).toBe('type');
    expect(errorsOf({ ...caseReported(), reportedAt: '2026-11-22 10:00' })[0]!.path).toBe('reportedAt');
    expect(errorsOf({ ...caseReported(), reportedAt: '2026-11-22T10:00:00' })[0]!.path).toBe('reportedAt');
    expect(errorsOf({ ...caseReported(), reportedAt: '2026-11-22T10:00:00+08:00' })).toEqual([]);
    expect(errorsOf(null)[0]!.path).toBe('(body)');
  });

  it('limits sizes so one event cannot carry a novel', () => {
    expect(errorsOf({ ...caseReported(), title: 'x'.repeat(201) })[0]!.path).toBe('title');
    expect(errorsOf({ ...caseReported(), sourceRef: 'has space' })[0]!.path).toBe('sourceRef');
  });

  it("takes a court's case number as the source reference, and nothing with spaces, quotes or control characters", () => {
    for (const ref of ['（2026）粤0307民调123号', '(2025)粤0307民初4567号', '〔2026〕龙信字第12号', '12345-20261122-0042']) {
      expect(errorsOf({ ...caseReported(), sourceRef: ref })).toEqual([]);
    }
    for (const ref of ['粤 0307', 'a"b', "a'b", 'a\u0000b', 'a<b>', '']) {
      expect(errorsOf({ ...caseReported(), sourceRef: ref })[0]!.path).toBe('sourceRef');
    }
  });
});
