/** POST /api/events: the intake contract of docs/architecture.md §5. */
import { Router } from 'express';
import type { Request } from 'express';
import { intakeEventSchema, MAX_BATCH, zodFieldErrors, type FieldError, type IntakeEvent } from '../../shared/intake.js';
import type { Ingestor } from '../ingest.js';
import { HttpError, invalid } from './errors.js';
import type { KeyPrincipal } from '../auth/authenticator.js';
import { keyOf } from '../auth/guard.js';
import { caseInScope } from '../domain/intake.js';

/** Validates every event of the body and reports every bad field, so an integrator fixes a batch in one go. */
export function parseIntakeBody(body: unknown): { events: IntakeEvent[]; batch: boolean } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid([{ path: '(body)', message: 'must be one event object or { "events": [...] }' }]);
  }
  if (!('events' in body)) {
    const parsed = intakeEventSchema.safeParse(body);
    if (!parsed.success) throw invalid(zodFieldErrors(parsed.error));
    return { events: [parsed.data], batch: false };
  }
  const { events, ...rest } = body as { events: unknown };
  const errors: FieldError[] = Object.keys(rest).map((key) => ({ path: key, message: 'unknown key next to "events"' }));
  if (!Array.isArray(events)) throw invalid([...errors, { path: 'events', message: 'must be an array of events' }]);
  if (events.length === 0) throw invalid([...errors, { path: 'events', message: 'must hold at least one event' }]);
  if (events.length > MAX_BATCH) throw new HttpError(413, 'batch_too_large', `a batch holds at most ${MAX_BATCH} events; got ${events.length}`, undefined, { params: { max: MAX_BATCH, got: events.length } });
  const parsed: IntakeEvent[] = [];
  events.forEach((event, i) => {
    const result = intakeEventSchema.safeParse(event);
    if (result.success) parsed.push(result.data);
    else errors.push(...zodFieldErrors(result.error, ['events', i]));
  });
  if (errors.length) throw invalid(errors);
  return { events: parsed, batch: true };
}

function requireJson(req: Request): void {
  if (!req.is('application/json')) {
    throw new HttpError(415, 'unsupported_media_type', 'send the body as application/json');
  }
}

/** An integration key sends only the event types and sources it was issued for; the whole batch is refused otherwise. */
function checkScope(key: KeyPrincipal, events: readonly IntakeEvent[], batch: boolean): void {
  const details: FieldError[] = [];
  events.forEach((event, i) => {
    const at = batch ? `events[${i}].` : '';
    if (!(key.types as readonly string[]).includes(event.type)) details.push({ path: `${at}type`, message: `the key "${key.name}" may not send ${event.type}` });
    if (!key.sources.includes(event.source)) details.push({ path: `${at}source`, message: `the key "${key.name}" may not send for the source ${event.source}` });
  });
  if (details.length) throw new HttpError(403, 'forbidden', `${details.length} event field${details.length === 1 ? '' : 's'} outside this key's scope`, details);
}

export function eventsRouter(ingestor: Ingestor): Router {
  const router = Router();
  router.post('/api/events', async (req, res) => {
    requireJson(req);
    const { events, batch } = parseIntakeBody(req.body);
    const key = keyOf(res);
    checkScope(key, events, batch);
    // A resolution may name only a case within the key's scope; any other is refused as an unknown case.
    const outcome = await ingestor.ingest(events, (i) => (batch ? `events[${i}]` : ''), (record) => caseInScope(key.sources, record));
    res.status(outcome.created ? 201 : 200).json({ results: outcome.results });
  });
  return router;
}
