/**
 * Dispatch routes (吹哨报到): the duty queue, case detail, suggestions, commands, the roll-call board, a department's
 * own whistles, and metrics. Handlers validate, ask the domain, and answer; commands answer after commit.
 */
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { DeptWhistleRow, QueuePage, WhistleRow } from '../../shared/api.js';
import { metricGroups, queueSorts } from '../../shared/api.js';
import { commandSchema } from '../../shared/dispatch.js';
import { zodFieldErrors } from '../../shared/intake.js';
import { activeWhistle } from '../../shared/lifecycle.js';
import { openStatuses } from '../../shared/vocabulary.js';
import type { CommandService } from '../commands.js';
import { toSummary, type CaseRecord } from '../domain/case-index.js';
import { suggestDispatch, type DispatchPolicy } from '../domain/dispatch-rules.js';
import { dispatchMetrics } from '../domain/metrics.js';
import type { DistrictData } from '../district-data.js';
import type { Projections } from '../projections.js';
import type { EventStore } from '../store/event-store.js';
import { actorOf } from './actor.js';
import { unmaskSchema } from '../../shared/auth.js';
import { caseReads } from '../read/case-reads.js';
import type { Auditor } from '../auth/auditor.js';
import { sessionOf } from '../auth/guard.js';
import { HttpError, invalid, noSuch } from './errors.js';

const DAY = 86_400_000;
const isoTime = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));

const queueQuery = z.strictObject({
  status: z.enum(openStatuses as ['received', ...string[]]).optional(),
  streetCode: z.string().regex(/^\d{9}$/).optional(),
  category: z.string().max(40).optional(),
  /** Oldest first by default: the cases waiting longest are the ones that matter most. */
  sort: z.enum(queueSorts).default('oldest'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
});

const metricsQuery = z.strictObject({
  groupBy: z.enum(metricGroups).default('department'),
  from: isoTime.optional(),
  to: isoTime.optional(),
  streetCode: z.string().regex(/^\d{9}$/).optional(),
  category: z.string().max(40).optional(),
  deptId: z.string().max(40).optional(),
});

const queueStatuses = new Set<string>(['received', 'triaged', 'returned', 'reopened']);

/** A department sees a case only while it has (or had) a part in one of its whistles. */
function deptHasPart(record: CaseRecord, deptId: string | undefined): boolean {
  return [...(record.previousWhistles ?? []), ...(record.whistle ? [record.whistle] : [])].some((w) => w.assignments.some((a) => a.deptId === deptId));
}

const refusalStatus = { forbidden: 403, invalid_transition: 409, version_conflict: 409, command_id_reused: 409, not_found: 404, invalid: 400 } as const;

export function dispatchRouter(deps: {
  projections: Projections;
  store: EventStore;
  district: DistrictData;
  policy: DispatchPolicy;
  commands: CommandService;
  clock: () => number;
  auditor: Auditor;
}): Router {
  const { projections, store, district, commands, clock } = deps;
  const cases = projections.cases;
  const router = Router();

  const reads = caseReads(store, cases);

  router.get('/api/queue', async (req, res) => {
    const parsed = queueQuery.safeParse(req.query);
    if (!parsed.success) throw invalid(zodFieldErrors(parsed.error));
    const { status, sort, limit, offset, ...filter } = parsed.data;
    // Every match is counted (the total is true); only the page's rows are read from the log.
    const matches: CaseRecord[] = [];
    for (const r of cases.records()) {
      if (status ? r.status !== status : !queueStatuses.has(r.status)) continue;
      if (filter.streetCode && r.streetCode !== filter.streetCode) continue;
      if (filter.category && r.category !== filter.category) continue;
      matches.push(r);
    }
    // Records are in intake order, so oldest first is their order.
    const page = sort === 'oldest' ? matches.slice(offset, offset + limit) : matches.slice(Math.max(0, matches.length - offset - limit), Math.max(0, matches.length - offset)).reverse();
    const answer: QueuePage = { items: await reads.rows(page), total: matches.length, offset, limit, sort };
    res.json(answer);
  });

  /** Parties' names, phone and ID numbers are masked unless an officer or leader unmasked this one case, with a reason. */
  const detailOf = (record: CaseRecord, masked: boolean) => reads.detail(record, masked);
  /**
   * The case, if the caller may read it: the duty officer and the leader any, a department one it has (or had) a part
   * in. Asked before anything else about the case, and a case the caller may not read answers exactly as a missing one.
   */
  const visibleCase = (res: Response, id: string): CaseRecord => {
    const actor = actorOf(res);
    const record = cases.get(id);
    if (!record || (actor.role === 'dept' && !deptHasPart(record, actor.deptId))) throw noSuch('case');
    return record;
  };

  router.get('/api/cases/:id', async (req, res) => {
    res.json(await detailOf(visibleCase(res, req.params.id), true));
  });

  router.post('/api/cases/:id/unmask', async (req, res) => {
    const record = visibleCase(res, req.params.id);
    if (!req.is('application/json')) throw new HttpError(415, 'unsupported_media_type', 'send the body as application/json');
    const parsed = unmaskSchema.safeParse(req.body);
    if (!parsed.success) throw invalid(zodFieldErrors(parsed.error));
    // Recorded before anything is shown: no record, no personal data.
    await deps.auditor.record(req, sessionOf(res), { action: 'case.unmasked', outcome: 'ok', target: record.id, details: { reason: parsed.data.reason } });
    res.json(await detailOf(record, false));
  });

  router.get('/api/cases/:id/suggestions', (req, res) => {
    const record = visibleCase(res, req.params.id);
    const known = new Set(district.departments.map((d) => d.id));
    res.json(suggestDispatch(deps.policy, record, district.category(record.category)?.departments, (id) => known.has(id), clock()));
  });

  router.post('/api/cases/:id/commands', async (req, res) => {
    const actor = actorOf(res);
    try {
      visibleCase(res, req.params.id);
    } catch (error) {
      // The caller hears "no such case" either way; the audit log keeps which it was.
      deps.auditor.note(req, sessionOf(res), { action: 'command', outcome: cases.get(req.params.id) ? 'denied' : 'failed', target: req.params.id.slice(0, 200), details: { refused: 'not_found' } });
      throw error;
    }
    if (!req.is('application/json')) throw new HttpError(415, 'unsupported_media_type', 'send the body as application/json');
    const parsed = commandSchema.safeParse(req.body);
    if (!parsed.success) throw invalid(zodFieldErrors(parsed.error));
    const outcome = await commands.execute(req.params.id, parsed.data, actor);
    deps.auditor.note(req, sessionOf(res), {
      action: 'command',
      outcome: outcome.ok ? 'ok' : outcome.code === 'forbidden' ? 'denied' : 'failed',
      target: req.params.id,
      details: { type: parsed.data.type, ...(outcome.ok ? { seq: outcome.result.event.seq } : { refused: outcome.code }) },
    });
    if (outcome.ok) {
      res.status(outcome.result.duplicate ? 200 : 201).json(outcome.result);
      return;
    }
    if (outcome.code === 'invalid') throw invalid([{ path: outcome.path ?? '(body)', message: outcome.message }]);
    if (outcome.code === 'not_found') throw noSuch('case');
    // The caller may read the case (visibleCase above): it gets the state as its own desk shows it.
    const current = outcome.current && { current: toSummary(outcome.current, await reads.masker(outcome.current)) };
    throw new HttpError(refusalStatus[outcome.code], outcome.code, outcome.message, undefined, current);
  });

  router.get('/api/whistles', async (req, res) => {
    const rows: WhistleRow[] = (await reads.rows([...cases.whistled()])).map((r) => ({ ...r, whistle: r.case.whistle! }));
    res.json({ items: rows.reverse() });
  });

  router.get('/api/departments/:deptId/whistles', async (req, res) => {
    const actor = actorOf(res);
    const deptId = req.params.deptId;
    if (!district.departments.some((d) => d.id === deptId)) throw new HttpError(404, 'not_found', `no department ${deptId}`);
    if (actor.role === 'dept' && actor.deptId !== deptId) throw new HttpError(403, 'forbidden', 'a department sees only its own whistles');
    const open = (a: { deptId: string; status: string }) => a.deptId === deptId && (a.status === 'pending' || a.status === 'reported');
    const mine = [...cases.whistled()].filter((record) => activeWhistle(record)!.assignments.some(open));
    // Each row's own whistle, its return reasons masked; one read for them all.
    const rows: DeptWhistleRow[] = (await reads.rows(mine)).map((r) => ({ ...r, whistle: r.case.whistle!, assignment: r.case.whistle!.assignments.find(open)! }));
    res.json({ items: rows.reverse() });
  });

  router.get('/api/metrics', (req, res) => {
    const parsed = metricsQuery.safeParse(req.query);
    if (!parsed.success) throw invalid(zodFieldErrors(parsed.error));
    const now = clock();
    const { from = now - 30 * DAY, to = now, ...rest } = parsed.data;
    if (from >= to) throw invalid([{ path: 'from', message: 'must be before to' }]);
    res.json(dispatchMetrics(cases.records(), { ...rest, from, to }, now));
  });

  return router;
}
