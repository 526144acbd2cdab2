/**
 * Risk routes: the alert list and one alert with its cases, commands on an alert (acknowledge, close), and an
 * area's risk explanation. Handlers validate, ask the domain, and answer; commands answer after commit.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { CaseSummary } from '../../shared/api.js';
import { zodFieldErrors } from '../../shared/intake.js';
import { alertCommandSchema, alertStatuses, riskRuleIds, type AlertPage, type RiskClientSettings } from '../../shared/risk.js';
import { alertLevels } from '../../shared/vocabulary.js';
import type { AlertCommands } from '../alert-commands.js';
import { toSummary } from '../domain/case-index.js';
import type { EventStore } from '../store/event-store.js';
import { caseMasker } from './case-text.js';
import { explainRisk } from '../domain/risk-explain.js';
import type { DistrictData } from '../district-data.js';
import type { Projections } from '../projections.js';
import { actorOf } from './actor.js';
import { areaOf } from './area.js';
import { HttpError, invalid, noSuch } from './errors.js';
import { maskAlert } from '../../shared/masking.js';
import type { Auditor } from '../auth/auditor.js';
import { sessionOf } from '../auth/guard.js';

const alertQuery = z.strictObject({
  status: z.enum([...alertStatuses, 'open']).optional(),
  level: z.enum(alertLevels).optional(),
  rule: z.enum([...riskRuleIds, 'external']).optional(),
  streetCode: z.string().regex(/^\d{9}$/).optional(),
  communityCode: z.string().regex(/^\d{12}$/).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});


const noCounts = () => Object.fromEntries(alertLevels.map((l) => [l, 0])) as AlertPage['openByLevel'];

export function alertsRouter(deps: { projections: Projections; store: EventStore; district: DistrictData; commands: AlertCommands; risk: RiskClientSettings; clock: () => number; auditor: Auditor }): Router {
  const { projections, district, commands } = deps;
  const router = Router();
  const registry = () => projections.risk?.alerts ?? null;

  router.get('/api/alerts', (req, res) => {
    const parsed = alertQuery.safeParse(req.query);
    if (!parsed.success) throw invalid(zodFieldErrors(parsed.error));
    const alerts = registry();
    const page: AlertPage = { alerts: (alerts?.list(parsed.data) ?? []).map(maskAlert), openByLevel: alerts?.openByLevel() ?? noCounts() };
    res.json(page);
  });

  router.get('/api/alerts/:id', async (req, res) => {
    const alert = registry()?.get(req.params.id);
    if (!alert) throw noSuch('alert');
    const cases: CaseSummary[] = [];
    for (const id of alert.caseIds) {
      const record = projections.cases.get(id);
      if (record) cases.push(toSummary(record, await caseMasker(deps.store, record)));
    }
    res.json({ alert: maskAlert(alert), cases });
  });

  router.post('/api/alerts/:id/commands', async (req, res) => {
    const actor = actorOf(res);
    if (!req.is('application/json')) throw new HttpError(415, 'unsupported_media_type', 'send the body as application/json');
    const parsed = alertCommandSchema.safeParse(req.body);
    if (!parsed.success) throw invalid(zodFieldErrors(parsed.error));
    const outcome = await commands.execute(req.params.id, parsed.data, actor);
    deps.auditor.note(req, sessionOf(res), {
      action: 'command',
      outcome: outcome.ok ? 'ok' : outcome.code === 'forbidden' ? 'denied' : 'failed',
      target: req.params.id,
      details: { type: parsed.data.type, ...(!outcome.ok && { refused: outcome.code }) },
    });
    if (outcome.ok) {
      res.status(outcome.result.duplicate ? 200 : 201).json(outcome.result);
      return;
    }
    if (outcome.code === 'not_found') throw noSuch('alert');
    const status = { forbidden: 403, invalid_transition: 409, version_conflict: 409, command_id_reused: 409 }[outcome.code];
    // The alert as the desk's alert view shows it (masked), never the record as stored.
    throw new HttpError(status, outcome.code, outcome.message, undefined, outcome.current && outcome.code !== 'forbidden' ? { current: maskAlert(outcome.current) } : undefined);
  });

  router.get('/api/areas/:code/risk', (req, res) => {
    const area = areaOf(district, req.params.code);
    res.json(explainRisk(projections.wall, projections.cases, registry(), deps.risk, area, deps.clock()));
  });

  return router;
}
