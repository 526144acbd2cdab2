/** Read routes: snapshot, cases, geography, client settings, heat explanations. */
import { Router } from 'express';
import { z } from 'zod';
import type { CasePage, ClientConfig, GeoResponse } from '../../shared/api.js';
import { caseKinds, caseStatuses } from '../../shared/vocabulary.js';
import { zodFieldErrors } from '../../shared/intake.js';
import { toPublicSummary } from '../domain/case-index.js';
import { explainHeat } from '../domain/heat.js';
import type { DistrictData } from '../district-data.js';
import type { Projections } from '../projections.js';
import type { CatchUp } from '../realtime/catch-up.js';
import { areaOf } from './area.js';
import { invalid } from './errors.js';

const isoTime = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));

export const caseQuerySchema = z.strictObject({
  streetCode: z.string().regex(/^\d{9}$/).optional(),
  communityCode: z.string().regex(/^\d{12}$/).optional(),
  kind: z.enum(caseKinds).optional(),
  category: z.string().max(40).optional(),
  status: z.enum([...caseStatuses, 'open', 'closed']).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().regex(/^\d+$/, 'must be the nextCursor of a previous page').transform(Number).optional(),
});

export function readRouter(deps: {
  projections: Projections;
  district: DistrictData;
  catchUp: CatchUp;
  clientConfig: ClientConfig;
  clock: () => number;
}): Router {
  const { projections, district, catchUp, clock } = deps;
  const router = Router();
  const geo: GeoResponse = { district: district.info, geo: district.geo, categories: district.categories, departments: district.departments };
  const geoJson = JSON.stringify(geo);

  router.get('/api/snapshot', (_req, res) => {
    res.json(catchUp.snapshot());
  });

  router.get('/api/geo', (_req, res) => {
    // Signed-in callers only: a shared cache (proxy) must not keep it for others.
    res.type('application/json').set('Cache-Control', 'private, max-age=300').send(geoJson);
  });

  router.get('/api/client-config', (_req, res) => {
    res.json(deps.clientConfig);
  });

  router.get('/api/cases', (req, res) => {
    const parsed = caseQuerySchema.safeParse(req.query);
    if (!parsed.success) throw invalid(zodFieldErrors(parsed.error));
    const { limit, cursor, ...filter } = parsed.data;
    const page = projections.cases.query(filter, { limit, ...(cursor !== undefined && { beforeSeq: cursor }) }, district.communitiesOf);
    const body: CasePage = { items: page.items.map(toPublicSummary), total: page.total, nextCursor: page.nextCursor };
    res.json(body);
  });

  router.get('/api/areas/:code/heat', (req, res) => {
    res.json(explainHeat(projections.wall, projections.cases, areaOf(district, req.params.code), clock()));
  });

  return router;
}
