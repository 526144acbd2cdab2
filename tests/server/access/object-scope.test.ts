/**
 * Object scope before state, against one real server: every role (duty, two departments, leader, admin, a wall kiosk,
 * an integration key) asked about every object route with generated commands, versions, bodies and ids. A caller who
 * may not read a case, alert, import job or archived report gets the very same bytes as for an id that names nothing;
 * a caller who may read it gets its state only as its own desk shows it; a command id already used answers its stored
 * result only to the same caller on the same object.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../../server/boot.js';
import { asDept, authHeaders } from '../../helpers/auth.js';
import { command, whistledCase } from '../../helpers/dispatch.js';
import { alertRaised } from '../../helpers/factories.js';
import { post, startServer } from '../../helpers/server.js';
import { Principals, send, type Answer } from './principals.js';
import { MATRIX_DEPT, NO_SUCH_ID } from './samples.js';

/** Runs per property: enough to meet every (role, object, command) corner several times, few enough for two shared cores. */
const RUNS = 60;

const roles = ['duty', 'deptA', 'deptB', 'leader', 'admin', 'wall', 'integration'] as const;
type Role = (typeof roles)[number];
const DEPT_A = MATRIX_DEPT;
const DEPT_B = 'court';

let server: RunningServer;
let principals: Principals;
const headers = new Map<Role, Record<string, string>>();
/** The user id behind each user role, from /api/auth/me. */
const userIds = new Map<Role, string>();

beforeAll(async () => {
  server = await startServer({ RATE_LIMIT_COMMANDS: 0 });
  principals = new Principals(server);
  for (const role of roles) {
    headers.set(role, role === 'deptA' ? await principals.headers('dept') : role === 'deptB' ? await authHeaders(server, asDept(DEPT_B)) : await principals.headers(role));
  }
  for (const role of ['duty', 'deptA', 'deptB', 'leader'] as const) userIds.set(role, (await send(server, 'GET', '/api/auth/me', { headers: headers.get(role)! })).body.id);
}, 60_000);
afterAll(async () => {
  await server.close();
});

const as = (role: Role, method: string, path: string, body?: unknown): Promise<Answer> =>
  send(server, method, path, { headers: headers.get(role)!, ...(body !== undefined && { body }) });

const title = '王小明与李四华欠薪纠纷';
const parties = [{ role: 'applicant' as const, name: '王小明', phone: '13912345678', idNumber: '440307198805051234' }];
const personal = /王小明|李四华|13912345678|440307198805051234/;
/** What the desks never show without unmasking: the party's name, phone and ID number (a name that is no party's is not masked). */
const party = /王小明|13912345678|440307198805051234/;

/** The cases of the matrix, and which departments have (or had) a part in each. */
const cases: Record<'a' | 'b' | 'both', { id: string; depts: string[] }> = { a: { id: '', depts: [DEPT_A] }, b: { id: '', depts: [DEPT_B] }, both: { id: '', depts: [DEPT_A, DEPT_B] } };
type CaseName = keyof typeof cases | 'missing';
const caseNames = ['a', 'b', 'both', 'missing'] as const;
const versions = new Map<string, number>();

/** Who may read a case: the duty officer and the leader any, a department one it has (or had) a part in. */
function mayRead(role: Role, name: CaseName): boolean {
  if (name === 'missing') return false;
  if (role === 'duty' || role === 'leader') return true;
  if (role === 'deptA') return cases[name].depts.includes(DEPT_A);
  if (role === 'deptB') return cases[name].depts.includes(DEPT_B);
  return false;
}
const caseRoute = { commands: ['duty', 'deptA', 'deptB', 'leader'], detail: ['duty', 'deptA', 'deptB', 'leader'], unmask: ['duty', 'leader'], suggestions: ['duty'] } as const;
const guardAdmits = (role: Role, route: keyof typeof caseRoute) => (caseRoute[route] as readonly string[]).includes(role);
/** The guard's own refusal: no session (a key on a session route) 401, a role the route leaves out 403. */
const guardStatus = (role: Role) => (role === 'integration' ? 401 : 403);

describe('cases: scope before state', () => {
  /** What each role gets for a case id that names nothing, per route: every "not yours" must be these bytes. */
  const missing = new Map<string, Answer>();
  const missingKey = (role: Role, route: string) => `${role} ${route}`;
  const idOf = (name: CaseName, missingId: string) => (name === 'missing' ? missingId : cases[name].id);

  beforeAll(async () => {
    cases.a.id = (await whistledCase(server, { lead: DEPT_A }, { title, parties })).caseId;
    cases.b.id = (await whistledCase(server, { lead: DEPT_B }, { title, parties })).caseId;
    // Department A had it and returned it with a reason naming the party; then it was whistled to department B.
    const both = await whistledCase(server, { lead: DEPT_A }, { title, parties });
    const returned = await command(server, both.caseId, { role: 'dept', dept: DEPT_A }, { type: 'return', expectedVersion: both.version, reason: '当事人王小明电话13912345678要求转法院' });
    if (returned.status !== 201) throw new Error(JSON.stringify(returned.body));
    const again = await command(server, both.caseId, { role: 'duty' }, { type: 'whistle', expectedVersion: returned.body.version, urgency: 'normal', lead: DEPT_B, assists: [] });
    if (again.status !== 201) throw new Error(JSON.stringify(again.body));
    cases.both.id = both.caseId;
    for (const c of Object.values(cases)) versions.set(c.id, (await as('duty', 'GET', `/api/cases/${c.id}`)).body.case.version);
    for (const role of roles) {
      missing.set(missingKey(role, 'detail'), await as(role, 'GET', `/api/cases/${NO_SUCH_ID}`));
      missing.set(missingKey(role, 'unmask'), await as(role, 'POST', `/api/cases/${NO_SUCH_ID}/unmask`, { reason: '核实当事人身份' }));
      missing.set(missingKey(role, 'suggestions'), await as(role, 'GET', `/api/cases/${NO_SUCH_ID}/suggestions`));
      missing.set(missingKey(role, 'commands'), await as(role, 'POST', `/api/cases/${NO_SUCH_ID}/commands`, { type: 'reportIn', expectedVersion: 1, commandId: randomUUID() }));
    }
  }, 60_000);

  it('answers a missing case with one body that names no id, whatever the id', async () => {
    for (const role of ['duty', 'deptA', 'leader'] as const) {
      const answer = missing.get(missingKey(role, 'detail'))!;
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
      expect(answer.text).not.toContain(NO_SUCH_ID);
    }
    await fc.assert(
      fc.asyncProperty(fc.uuid(), fc.constantFrom('duty', 'deptA', 'deptB', 'leader' as const), async (id, role) => {
        expect((await as(role, 'GET', `/api/cases/${id}`)).text).toBe(missing.get(missingKey(role, 'detail'))!.text);
      }),
      { numRuns: 20 },
    );
  });

  /** A command body of any type, sometimes not a valid command at all. */
  const anyCommand = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('triage', 'whistle', 'reportIn', 'progress', 'return', 'resolve', 'confirm', 'followUp', 'archive', 'supervise') },
    { weight: 1, arbitrary: fc.constant('garbage') },
  );
  const bodyOf = (type: string, expectedVersion: number, commandId: string = randomUUID()): Record<string, unknown> => {
    const fields: Record<string, Record<string, unknown>> = {
      triage: { tier: 'street', channel: 'people' },
      whistle: { urgency: 'normal', lead: DEPT_A, assists: [] },
      reportIn: {},
      progress: { note: '已联系当事人' },
      return: { reason: '不属本部门职责' },
      resolve: { outcome: 'mediated' },
      confirm: {},
      followUp: { satisfaction: 4 },
      archive: {},
      supervise: { deptId: DEPT_A },
    };
    if (type === 'garbage') return { type: 'reportIn', expectedVersion: 'x', commandId };
    return { type, expectedVersion, commandId, ...fields[type] };
  };
  /** Commands no caller can carry out on a whistled case, whatever its role. */
  const invalidOnWhistled = ['whistle', 'confirm', 'followUp', 'archive'];

  it('gives a command on a case the caller may not read the bytes of a missing case, whatever the command and version, and changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...roles), fc.constantFrom(...caseNames), anyCommand, fc.integer({ min: -2, max: 2 }), fc.uuid(), async (role, name, type, offset, missingId) => {
        const id = idOf(name, missingId);
        const version = name === 'missing' ? 1 + Math.abs(offset) : versions.get(id)! + offset;
        const readable = mayRead(role, name);
        // A reader with the right version would carry out a valid command: readers get only wrong versions or commands invalid on a whistled case.
        if (readable && offset === 0 && !invalidOnWhistled.includes(type)) return;
        const answer = await as(role, 'POST', `/api/cases/${id}/commands`, bodyOf(type, Math.max(1, version)));
        if (!guardAdmits(role, 'commands')) {
          expect(answer.status).toBe(guardStatus(role));
          expect(answer.text).toBe(missing.get(missingKey(role, 'commands'))!.text);
          return;
        }
        if (!readable) {
          expect({ status: answer.status, text: answer.text }).toEqual({ status: 404, text: missing.get(missingKey(role, 'commands'))!.text });
          return;
        }
        if (type === 'garbage') {
          expect(answer.status).toBe(400);
          expect(answer.body.error.code).toBe('invalid_request');
          return;
        }
        expect([403, 409]).toContain(answer.status);
        expect(['version_conflict', 'invalid_transition', 'forbidden']).toContain(answer.body.error.code);
        // The state comes as the caller's own desk shows the case, never more.
        const desk = await as(role, 'GET', `/api/cases/${id}`);
        expect(answer.body.error.current).toEqual(desk.body.case);
        expect(JSON.stringify(answer.body.error.current)).not.toMatch(party);
      }),
      { numRuns: RUNS * 3 },
    );
    for (const c of Object.values(cases)) expect((await as('duty', 'GET', `/api/cases/${c.id}`)).body.case.version).toBe(versions.get(c.id));
  }, 180_000);

  it('gives the detail, timeline and unmasking of a case only to those who may read it, the same 404 bytes to the rest', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...roles), fc.constantFrom(...caseNames), fc.constantFrom('detail', 'unmask', 'suggestions' as const), fc.uuid(), async (role, name, route, missingId) => {
        const id = idOf(name, missingId);
        const answer =
          route === 'detail'
            ? await as(role, 'GET', `/api/cases/${id}`)
            : route === 'unmask'
              ? await as(role, 'POST', `/api/cases/${id}/unmask`, { reason: '核实当事人身份' })
              : await as(role, 'GET', `/api/cases/${id}/suggestions`);
        const none = missing.get(missingKey(role, route))!;
        if (!guardAdmits(role, route)) {
          expect({ status: answer.status, text: answer.text }).toEqual({ status: guardStatus(role), text: none.text });
        } else if (!mayRead(role, name)) {
          expect({ status: answer.status, text: answer.text }).toEqual({ status: 404, text: none.text });
        } else {
          expect(answer.status).toBe(200);
          if (route !== 'suggestions') expect(answer.body.case.id).toBe(id);
          if (route === 'detail') expect(answer.text).not.toMatch(party);
        }
      }),
      { numRuns: RUNS * 2 },
    );
  }, 180_000);

  it("lists in a department's whistle list only cases it has a part in", async () => {
    for (const [role, dept] of [['deptA', DEPT_A], ['deptB', DEPT_B]] as const) {
      const list = await as(role, 'GET', `/api/departments/${dept}/whistles`);
      expect(list.status).toBe(200);
      for (const row of list.body.items as Array<{ case: { id: string }; whistle: { assignments: Array<{ deptId: string }> } }>) {
        expect(row.whistle.assignments.map((a) => a.deptId)).toContain(dept);
      }
      const ids = (list.body.items as Array<{ case: { id: string } }>).map((r) => r.case.id);
      for (const [name, c] of Object.entries(cases)) if (!c.depts.includes(dept)) expect(ids, name).not.toContain(c.id);
    }
  });

  describe('a command id already used', () => {
    /** Commands carried out in set-up: who did it, on which case, with which id and what it answered. */
    const done: Array<{ role: Role; name: keyof typeof cases; commandId: string; result: any }> = [];

    beforeAll(async () => {
      const doIt = async (role: Role, name: keyof typeof cases, body: Record<string, unknown>) => {
        const commandId = randomUUID();
        const answer = await as(role, 'POST', `/api/cases/${cases[name].id}/commands`, { ...body, commandId, expectedVersion: versions.get(cases[name].id) });
        if (answer.status !== 201) throw new Error(`${role} ${name}: ${answer.status} ${answer.text}`);
        versions.set(cases[name].id, answer.body.version);
        done.push({ role, name, commandId, result: answer.body });
      };
      await doIt('deptA', 'a', { type: 'reportIn' });
      await doIt('duty', 'b', { type: 'supervise', deptId: DEPT_B, note: '请尽快报到' });
      await doIt('leader', 'both', { type: 'supervise', deptId: DEPT_B });
    }, 60_000);

    it('answers its stored result to the same caller on the same case, and to anyone else or on any other case refuses it without the result', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...roles), fc.constantFrom(...caseNames), fc.nat({ max: 2 }), anyCommand, fc.integer({ min: -1, max: 1 }), fc.uuid(), async (role, name, which, type, offset, missingId) => {
          const first = done[which]!;
          const id = idOf(name, missingId);
          const version = name === 'missing' ? 1 : versions.get(id)! + offset;
          const answer = await as(role, 'POST', `/api/cases/${id}/commands`, bodyOf(type, Math.max(1, version), first.commandId));
          if (!guardAdmits(role, 'commands')) {
            expect(answer.status).toBe(guardStatus(role));
            return;
          }
          if (!mayRead(role, name)) {
            expect({ status: answer.status, text: answer.text }).toEqual({ status: 404, text: missing.get(missingKey(role, 'commands'))!.text });
            return;
          }
          if (type === 'garbage') {
            expect(answer.status).toBe(400);
            return;
          }
          if (role === first.role && name === first.name) {
            expect(answer.status).toBe(200);
            expect(answer.body).toEqual({ ...first.result, version: expect.any(Number), status: expect.any(String), duplicate: true });
            return;
          }
          expect(answer.status).toBe(409);
          expect(answer.body).toEqual({ error: { code: 'command_id_reused', message: expect.any(String) } });
          expect(answer.text).not.toContain(first.result.event.id);
          expect(answer.text).not.toContain(cases[first.name].id);
        }),
        { numRuns: RUNS * 2 },
      );
      for (const c of Object.values(cases)) expect((await as('duty', 'GET', `/api/cases/${c.id}`)).body.case.version).toBe(versions.get(c.id));
    }, 180_000);

    it('gives one id sent at once by two callers to whichever came first, and the other none of it', async () => {
      await fc.assert(
        fc.asyncProperty(fc.shuffledSubarray(['duty', 'duty', 'duty', 'leader', 'leader', 'leader'] as Role[], { minLength: 2 }), async (senders) => {
          if (new Set(senders).size < 2) return;
          const { caseId, version } = await whistledCase(server, { lead: DEPT_B });
          const commandId = randomUUID();
          const answers = await Promise.all(senders.map((role) => as(role, 'POST', `/api/cases/${caseId}/commands`, { type: 'supervise', deptId: DEPT_B, expectedVersion: version, commandId })));
          const created = answers.filter((a) => a.status === 201);
          expect(created).toHaveLength(1);
          const winner = senders[answers.indexOf(created[0]!)]!;
          senders.forEach((role, i) => {
            const answer = answers[i]!;
            if (role === winner) expect(answer.body.event).toEqual(created[0]!.body.event);
            else expect({ status: answer.status, body: answer.body }).toEqual({ status: 409, body: { error: { code: 'command_id_reused', message: expect.any(String) } } });
          });
        }),
        { numRuns: 10 },
      );
    }, 120_000);
  });
});

describe('alerts', () => {
  let alerts: string[] = [];
  const missingAlert = new Map<Role, Answer>();
  const acknowledged: { commandId: string; alert: number; result: any } = { commandId: randomUUID(), alert: 0, result: undefined };

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const raised = await post(server, alertRaised({ title: `工地欠薪，联系人电话1391234567${i}` }));
      if (raised.status !== 201) throw new Error(JSON.stringify(raised.body));
      alerts.push(raised.body.results[0].alertId);
    }
    alerts = [...alerts];
    const ack = await as('duty', 'POST', `/api/alerts/${alerts[0]}/commands`, { type: 'acknowledge', expectedVersion: (await as('duty', 'GET', `/api/alerts/${alerts[0]}`)).body.alert.version, commandId: acknowledged.commandId });
    if (ack.status !== 201) throw new Error(ack.text);
    acknowledged.result = ack.body;
    for (const role of roles) missingAlert.set(role, await as(role, 'POST', `/api/alerts/${NO_SUCH_ID}/commands`, { type: 'acknowledge', expectedVersion: 1, commandId: randomUUID() }));
  }, 60_000);

  it('answers a missing alert with one body that names no id', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uuid(), fc.constantFrom('duty', 'leader' as const), async (id, role) => {
        const read = await as(role, 'GET', `/api/alerts/${id}`);
        expect(read.status).toBe(404);
        expect(read.text).toBe((await as(role, 'GET', `/api/alerts/${NO_SUCH_ID}`)).text);
        expect((await as(role, 'POST', `/api/alerts/${id}/commands`, { type: 'acknowledge', expectedVersion: 1, commandId: randomUUID() })).text).toBe(missingAlert.get(role)!.text);
      }),
      { numRuns: 15 },
    );
  });

  it('gives a stale or invalid alert command the alert as the desk shows it (masked), and refuses a reused command id without its result', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...roles), fc.nat({ max: 1 }), fc.constantFrom('acknowledge', 'close' as const), fc.integer({ min: 1, max: 3 }), fc.boolean(), async (role, which, type, offset, reuse) => {
        const alertId = alerts[which]!;
        const desk = await as('duty', 'GET', `/api/alerts/${alertId}`);
        const commandId = reuse ? acknowledged.commandId : randomUUID();
        const answer = await as(role, 'POST', `/api/alerts/${alertId}/commands`, { type, expectedVersion: desk.body.alert.version + offset, commandId, ...(type === 'close' && { note: '已处置' }) });
        if (role !== 'duty' && role !== 'leader') {
            expect(answer.status).toBe(guardStatus(role));
            return;
          }
        if (reuse) {
          if (role === 'duty' && which === acknowledged.alert) {
            expect(answer.body).toEqual({ ...acknowledged.result, version: expect.any(Number), status: expect.any(String), duplicate: true });
            return;
          }
          expect({ status: answer.status, body: answer.body }).toEqual({ status: 409, body: { error: { code: 'command_id_reused', message: expect.any(String) } } });
          return;
        }
        expect(answer.status).toBe(409);
        expect(answer.body.error.code).toBe('version_conflict');
        expect(answer.body.error.current).toEqual(desk.body.alert);
        expect(answer.text).not.toMatch(/1391234567\d/);
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it("refuses a case command's id on an alert, and an alert command's id on a case, without either result", async () => {
    const caseCommand = randomUUID();
    const c = await whistledCase(server, { lead: DEPT_A });
    const supervised = await as('duty', 'POST', `/api/cases/${c.caseId}/commands`, { type: 'supervise', deptId: DEPT_A, expectedVersion: c.version, commandId: caseCommand });
    expect(supervised.status).toBe(201);
    const onAlert = await as('duty', 'POST', `/api/alerts/${alerts[1]}/commands`, { type: 'acknowledge', expectedVersion: (await as('duty', 'GET', `/api/alerts/${alerts[1]}`)).body.alert.version, commandId: caseCommand });
    expect({ status: onAlert.status, body: onAlert.body }).toEqual({ status: 409, body: { error: { code: 'command_id_reused', message: expect.any(String) } } });
    const onCase = await as('duty', 'POST', `/api/cases/${c.caseId}/commands`, { type: 'supervise', deptId: DEPT_A, expectedVersion: supervised.body.version, commandId: acknowledged.commandId });
    expect({ status: onCase.status, body: onCase.body }).toEqual({ status: 409, body: { error: { code: 'command_id_reused', message: expect.any(String) } } });
  });
});

describe('import jobs and archived reports', () => {
  it("answers another user's import job with the bytes of a missing one", async () => {
    const made = await send(server, 'POST', '/api/ledger/imports?filename=mine.csv', { headers: { ...headers.get('duty')!, 'content-type': 'text/csv' }, raw: '台账编号,标题\nA-1,欠薪\n' });
    expect(made.status).toBe(202);
    const jobId = made.body.id as string;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'validate', 'commit' as const), fc.uuid(), async (action, missingId) => {
        const ask = (id: string) =>
          action === 'GET' ? as('leader', 'GET', `/api/ledger/imports/${id}`) : as('leader', 'POST', `/api/ledger/imports/${id}/${action}`, { mapping: { sourceRef: '台账编号' } });
        const theirs = await ask(jobId);
        const none = await ask(missingId);
        expect({ status: theirs.status, text: theirs.text }).toEqual({ status: 404, text: none.text });
        expect(theirs.text).not.toContain(jobId);
      }),
      { numRuns: 12 },
    );
    expect((await as('duty', 'GET', `/api/ledger/imports/${jobId}`)).status).toBe(200);
  });

  it('answers every archived report id that names nothing with one body', async () => {
    const none = await as('duty', 'GET', `/api/reports/archive/${NO_SUCH_ID}`);
    expect(none.status).toBe(404);
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[a-z0-9:-]{1,60}$/), fc.constantFrom('duty', 'leader' as const), async (id, role) => {
        expect((await as(role, 'GET', `/api/reports/archive/${encodeURIComponent(id)}`)).text).toBe(none.text);
      }),
      { numRuns: 15 },
    );
  });
});
