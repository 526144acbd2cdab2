/**
 * Human-typed text (issue 15, item 7): every schema field a person types into — display, kiosk and key names, case
 * titles, descriptions, party names, notes and reasons from intake and from commands — refuses generated text with
 * an injected control character (NUL, C0, DEL, C1; line breaks and tabs where the field is one line), a bidi
 * override or isolate, half a surrogate pair, or nothing visible (spaces and zero-width characters only), naming the
 * field; and still takes ordinary text (multi-line where the field allows it). Then the same through the real
 * routes: a 400 naming the field, nothing stored.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/boot.js';
import { apiKeyCreateSchema, kioskCreateSchema, unmaskSchema, userCreateSchema, userUpdateSchema } from '../../shared/auth.js';
import { commandSchema } from '../../shared/dispatch.js';
import { intakeEventSchema, zodFieldErrors } from '../../shared/intake.js';
import { alertCommandSchema } from '../../shared/risk.js';
import { alertRaised, caseReported, caseResolved } from '../helpers/factories.js';
import { asAdmin, DUTY } from '../helpers/auth.js';
import { command, reportCase } from '../helpers/dispatch.js';
import { fetchAs, post, startServer } from '../helpers/server.js';

const set = (object: Record<string, unknown>, path: string, value: string): Record<string, unknown> => {
  const copy = structuredClone(object);
  const keys = path.split('.');
  let at: any = copy;
  for (const key of keys.slice(0, -1)) at = at[/^\d+$/.test(key) ? Number(key) : key];
  at[keys.at(-1)!] = value;
  return copy;
};

interface Field {
  name: string;
  schema: z.ZodType;
  base: Record<string, unknown>;
  path: string;
  multiline: boolean;
  /** Shortest visible text the field takes. */
  min: number;
}

const commandBase = { commandId: randomUUID(), expectedVersion: 1 };
const fields: Field[] = [
  { name: 'user name (create)', schema: userCreateSchema, base: { username: 'someone', name: '张三', role: 'duty', password: 'long-enough-password' }, path: 'name', multiline: false, min: 1 },
  { name: 'user name (update)', schema: userUpdateSchema, base: { expectedVersion: 1, name: '张三' }, path: 'name', multiline: false, min: 1 },
  { name: 'kiosk name', schema: kioskCreateSchema, base: { name: '大屏' }, path: 'name', multiline: false, min: 1 },
  { name: 'key name', schema: apiKeyCreateSchema, base: { name: '接入', types: ['case.reported'], sources: ['hotline'] }, path: 'name', multiline: false, min: 1 },
  { name: 'unmask reason', schema: unmaskSchema, base: { reason: '回访核实' }, path: 'reason', multiline: true, min: 4 },
  { name: 'case title', schema: intakeEventSchema, base: caseReported(), path: 'title', multiline: false, min: 1 },
  { name: 'case description', schema: intakeEventSchema, base: caseReported({ description: '说明' }), path: 'description', multiline: true, min: 0 },
  { name: 'party name', schema: intakeEventSchema, base: caseReported(), path: 'parties.0.name', multiline: false, min: 1 },
  { name: 'resolution note', schema: intakeEventSchema, base: caseResolved('ref-1', { note: '已调解' }), path: 'note', multiline: true, min: 0 },
  { name: 'alert title', schema: intakeEventSchema, base: alertRaised(), path: 'title', multiline: false, min: 1 },
  { name: 'alert description', schema: intakeEventSchema, base: alertRaised({ description: '说明' }), path: 'description', multiline: true, min: 0 },
  { name: 'command note', schema: commandSchema, base: { ...commandBase, type: 'triage', tier: 'street', channel: 'people', note: '备注' }, path: 'note', multiline: true, min: 1 },
  { name: 'progress note', schema: commandSchema, base: { ...commandBase, type: 'progress', note: '进展' }, path: 'note', multiline: true, min: 1 },
  { name: 'return reason', schema: commandSchema, base: { ...commandBase, type: 'return', reason: '不属本部门' }, path: 'reason', multiline: true, min: 2 },
  { name: 'alert acknowledge note', schema: alertCommandSchema, base: { ...commandBase, type: 'acknowledge', note: '已知悉' }, path: 'note', multiline: true, min: 0 },
  { name: 'alert close note', schema: alertCommandSchema, base: { ...commandBase, type: 'close', note: '已处置' }, path: 'note', multiline: true, min: 2 },
];

const hex = (c: number) => c.toString(16).padStart(4, '0');
/** Ordinary text: CJK, Latin, digits, punctuation, a space inside. */
const ordinary = fc.string({ unit: fc.constantFrom(...'调解劳资纠纷张三abcXYZ019-—,。（）'), minLength: 4, maxLength: 20 });
const control = (multiline: boolean) =>
  fc
    .oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }))
    .filter((c) => !multiline || (c !== 0x09 && c !== 0x0a))
    .map((c) => String.fromCharCode(c));
const bidi = fc.constantFrom(0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069).map((c) => String.fromCharCode(c));
const loneSurrogate = fc.oneof(fc.integer({ min: 0xd800, max: 0xdbff }), fc.integer({ min: 0xdc00, max: 0xdfff })).map((c) => String.fromCharCode(c));
const blankOnly = fc
  .array(fc.constantFrom(' ', '\u3000', '\u00a0', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u180e', '\u3164'), { minLength: 1, maxLength: 12 })
  .map((a) => a.join(''))
  .filter((s) => s.trim().length > 0);
/** Ordinary text with one hostile character put somewhere inside it. */
const injected = (hostile: fc.Arbitrary<string>) =>
  fc.tuple(ordinary, hostile, fc.nat()).map(([text, bad, at]) => {
    const i = 1 + (at % (text.length - 1));
    return text.slice(0, i) + bad + text.slice(i);
  });

const hostileFor = (field: Field) => fc.oneof(injected(control(field.multiline)), injected(bidi), injected(loneSurrogate), blankOnly);

describe('every human-typed field of the shared schemas', () => {
  for (const field of fields) {
    it(`${field.name}: refuses controls, bidi overrides, broken and blank text, naming the field`, () => {
      expect(field.schema.safeParse(field.base).success, 'the base object is valid').toBe(true);
      fc.assert(
        fc.property(hostileFor(field), (bad) => {
          const parsed = field.schema.safeParse(set(field.base, field.path, bad));
          expect(parsed.success, [...bad].map((c) => hex(c.codePointAt(0)!)).join(' ')).toBe(false);
          if (!parsed.success) expect(zodFieldErrors(parsed.error).map((e) => e.path)).toContain(field.path.replace(/\.(\d+)\./g, '[$1].'));
        }),
        { numRuns: 150 },
      );
    });

    it(`${field.name}: takes ordinary text${field.multiline ? ', over several lines' : ''}`, () => {
      fc.assert(
        fc.property(ordinary, ordinary, (a, b) => {
          expect(field.schema.safeParse(set(field.base, field.path, a)).success).toBe(true);
          const lines = `${a}\n\t${b}`;
          expect(field.schema.safeParse(set(field.base, field.path, lines)).success).toBe(field.multiline);
        }),
        { numRuns: 50 },
      );
    });
  }
});

describe('the routes that take human-typed text', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.close();
  });

  const expect400 = (answer: { status: number; body: any }, path: string, what: string) => {
    expect(answer.status, `${what}: ${JSON.stringify(answer.body)}`).toBe(400);
    expect(answer.body.error.code).toBe('invalid_request');
    expect(JSON.stringify(answer.body.error.details)).toContain(path);
  };

  it('admin: user, kiosk and key names; nothing is made', async () => {
    const before = (await asAdmin(server, 'GET', '/api/admin/kiosks')).body.items.length;
    await fc.assert(
      fc.asyncProperty(hostileFor(fields[2]!), async (bad) => {
        expect400(await asAdmin(server, 'POST', '/api/admin/users', { username: `u${randomUUID().slice(0, 8)}`, name: bad, role: 'duty', password: 'long-enough-password' }), 'name', 'user');
        expect400(await asAdmin(server, 'POST', '/api/admin/kiosks', { name: bad }), 'name', 'kiosk');
        expect400(await asAdmin(server, 'POST', '/api/admin/keys', { name: bad, types: ['case.reported'], sources: ['hotline'] }), 'name', 'key');
      }),
      { numRuns: 15 },
    );
    expect((await asAdmin(server, 'GET', '/api/admin/kiosks')).body.items.length).toBe(before);
  });

  it('intake: titles, descriptions, party names, notes', async () => {
    await fc.assert(
      fc.asyncProperty(hostileFor(fields[5]!), fc.constantFrom('title', 'parties.0.name', 'alert'), async (bad, where) => {
        const body = where === 'alert' ? alertRaised({ title: bad }) : set(caseReported(), where, bad);
        const answer = await post(server, body);
        expect(answer.status, JSON.stringify(answer.body)).toBe(400);
        expect(JSON.stringify(answer.body)).toContain(where === 'parties.0.name' ? 'name' : 'title');
      }),
      { numRuns: 20 },
    );
    const blank = await post(server, caseReported({ description: '\u200b\u200b' }));
    expect(blank.status).toBe(400);
    expect(JSON.stringify(blank.body)).toContain('description');
  });

  it('commands and unmask: notes and reasons', async () => {
    const caseId = await reportCase(server);
    await fc.assert(
      fc.asyncProperty(hostileFor(fields[11]!), async (bad) => {
        expect400(await command(server, caseId, DUTY, { type: 'triage', expectedVersion: 1, tier: 'street', channel: 'people', note: bad }), 'note', 'triage');
        const res = await fetchAs(server, `/api/cases/${caseId}/unmask`, DUTY, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: `核实身份${bad}` }) });
        if (bad.trim() && !/[\u200b-\u200d\u2060\ufeff\u180e\u3164]/.test(bad)) expect400({ status: res.status, body: await res.json() }, 'reason', 'unmask');
        else await res.body?.cancel();
      }),
      { numRuns: 15 },
    );
    // Nothing was triaged: the case is still at version 1.
    expect((await command(server, caseId, DUTY, { type: 'triage', expectedVersion: 1, tier: 'street', channel: 'people', note: '正常备注\n第二行' })).status).toBe(201);
  });
});
