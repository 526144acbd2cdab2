/**
 * The simulated duty officers (值班员): they watch the queue, triage and whistle new cases after a human pause,
 * re-whistle returned and reopened ones (reading the returning lead's reason), and do the aftercare — judicial
 * confirmation of some court-related agreements, follow-up calls, archiving. Everything through the public API.
 */
import type { CaseSummary, DispatchSuggestion, QueueRow } from '../../shared/api.js';
import type { DepartmentInfo } from '../../shared/geo.js';
import { lifecycle } from '../../shared/lifecycle.js';
import { caseStatuses, type CaseStatus, type Channel, type Tier, type Urgency } from '../../shared/vocabulary.js';
import { caseSeed, MINUTE_MS, lognormal, notBefore, send, uniform, type SimContext } from './dispatch-context.js';
import type { SimActor } from './dispatch-http.js';
import { CHANNEL_HABITS, CONFIRM_NOTES, DUTY_OFFICERS, FOLLOW_UP_NOTES, TRIAGE_NOTES, WHISTLE_NOTES } from './dispatch-texts.js';
import { Rng } from './random.js';

const SALT_TRIAGE = 0xd17;
const SALT_AFTERCARE = 0xaf7;
const QUEUE_LIMIT = 50;
const AFTERCARE_LIMIT = 500;
/** How far before its start the aftercare looks for dispatched cases awaiting confirmation, follow-up or archiving. */
const AFTERCARE_LOOKBACK_MS = 3 * 24 * 60 * MINUTE_MS;
const AFTERCARE_PAGES = 12;
/** The statuses aftercare looks at, one per poll in turn. */
const AFTERCARE_STATUSES = ['resolved', 'confirmed', 'followedUp'] as const;
type AftercareStatus = (typeof AFTERCARE_STATUSES)[number];

/** One pass of a case through the queue: a new case, or one back after a return or a reopening. */
const roundKey = (c: CaseSummary) => `${c.status}:${c.whistleCount}`;
const statusIndex = (s: CaseStatus) => caseStatuses.indexOf(s);

export class DutyOfficers {
  #queue = new Map<string, CaseSummary>();
  readonly #planned = new Map<string, string>();
  readonly #aftercare = new Map<string, CaseSummary>();
  readonly #aftercarePlanned = new Map<string, string>();
  #aftercareTurn = 0;

  constructor(
    private readonly ctx: SimContext,
    private readonly departments: readonly DepartmentInfo[],
  ) {}

  #officer(c: CaseSummary): SimActor {
    return { role: 'duty', name: DUTY_OFFICERS[caseSeed(c) % DUTY_OFFICERS.length]! };
  }

  /** Reads the queue and plans a dispatch for every case that arrived in it since the last look. */
  async pollQueue(): Promise<void> {
    const page = await this.ctx.http.get<{ items: QueueRow[] }>(`/api/queue?limit=${QUEUE_LIMIT}&sort=newest`, { role: 'duty', name: DUTY_OFFICERS[0]! });
    if (!page) return;
    const seen = new Map<string, CaseSummary>();
    for (const { case: c } of page.items) {
      // Returned and reopened cases only ever come out of dispatch; a new case older than the simulation is history.
      if (Date.parse(c.reportedAt) < this.ctx.since && c.status !== 'returned' && c.status !== 'reopened') continue;
      seen.set(c.id, c);
      const key = roundKey(c);
      if (this.#planned.get(c.id) === key) continue;
      this.#planned.set(c.id, key);
      const rng = Rng.of(this.ctx.seed, SALT_TRIAGE, caseSeed(c), c.whistleCount, statusIndex(c.status));
      // 20 s to 3 min: reading the case, calling the applicant back, checking the map.
      const pause = lognormal(rng, 55_000, 0.6, 20_000, 3 * MINUTE_MS);
      const from = c.status === 'received' ? Date.parse(c.reportedAt) : this.ctx.clock();
      this.ctx.agenda.at(notBefore(this.ctx, from + pause), () => this.#dispatch(c.id, key));
    }
    for (const id of this.#planned.keys()) if (!seen.has(id)) this.#planned.delete(id);
    this.#queue = seen;
  }

  async #dispatch(caseId: string, key: string): Promise<void> {
    const c = this.#queue.get(caseId);
    // Gone from the queue, or in another round by now: someone (a real officer on the console) got there first.
    if (!c || roundKey(c) !== key) return;
    const actor = this.#officer(c);
    const rng = Rng.of(this.ctx.seed, SALT_TRIAGE + 1, caseSeed(c), c.whistleCount, statusIndex(c.status));
    const origin = c.status;
    let version = c.version;
    if (origin !== 'triaged') {
      const { tier, channel } = chooseTriage(rng, c, origin);
      const result = await send(this.ctx, {
        actor,
        target: c,
        command: { type: 'triage', tier, channel, ...(rng.chance(0.25) && { note: triageNote(rng, c) }) },
        stillApplies: (now) => lifecycle.triage.includes(now.status) && now.whistleCount === c.whistleCount,
        stat: 'triaged',
      });
      if (!result) return;
      version = result.version;
      // The next look at the queue shows it triaged: that is this same round, not a new one to plan.
      this.#planned.set(caseId, `triaged:${c.whistleCount}`);
    }
    // A moment between the two steps, as on the console: the wall shows the case triaged before it is whistled.
    this.ctx.agenda.after(uniform(rng, 5_000, 45_000), () => this.#whistle({ ...c, version }, origin, actor, rng));
  }

  async #whistle(c: CaseSummary, origin: CaseStatus, actor: SimActor, rng: Rng): Promise<void> {
    const suggestion = await this.ctx.http.get<DispatchSuggestion>(`/api/cases/${encodeURIComponent(c.id)}/suggestions`, actor);
    if (!suggestion) return;
    const plan = chooseWhistle(rng, c, origin, suggestion, this.departments);
    const result = await send(this.ctx, {
      actor,
      target: c,
      command: { type: 'whistle', ...plan, ...(rng.chance(0.25) && { note: rng.pick(WHISTLE_NOTES) }) },
      stillApplies: (now) => now.status === 'triaged' && now.whistleCount === c.whistleCount,
      stat: 'whistled',
    });
    // Still triaged (the whistle was refused): let the next look at the queue plan it afresh.
    if (!result) this.#planned.delete(c.id);
  }

  /** Looks at one aftercare status in turn and plans confirmations, follow-ups and archiving. */
  async pollAftercare(): Promise<void> {
    const status = AFTERCARE_STATUSES[this.#aftercareTurn++ % AFTERCARE_STATUSES.length]!;
    // Cases resolved before the simulation started (the demo's dispatch history, or the last run before a restart)
    // are followed up too: those the centre dispatched (a whistle) within the look-back, never an intake's closure.
    const from = new Date(this.ctx.since - AFTERCARE_LOOKBACK_MS).toISOString();
    const items: CaseSummary[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < AFTERCARE_PAGES; pages++) {
      const query = `status=${status}&from=${encodeURIComponent(from)}&limit=${AFTERCARE_LIMIT}${cursor !== undefined ? `&cursor=${cursor}` : ''}`;
      const page = await this.ctx.http.get<{ items: CaseSummary[]; nextCursor?: string | null }>(`/api/cases?${query}`, { role: 'duty', name: DUTY_OFFICERS[0]! });
      if (!page) return;
      for (const c of page.items) if (c.whistleCount > 0) items.push(c);
      if (page.nextCursor === undefined || page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    const listed = new Set(items.map((c) => c.id));
    for (const [id, c] of this.#aftercare) if (c.status === status && !listed.has(id)) this.#aftercare.delete(id);
    for (const c of items) {
      this.#aftercare.set(c.id, c);
      const key = roundKey(c);
      if (this.#aftercarePlanned.get(c.id) === key) continue;
      this.#aftercarePlanned.set(c.id, key);
      this.#planAftercare(c, status);
    }
    // Forget plans of cases that left aftercare for good (archived, or reopened into the queue).
    for (const id of this.#aftercarePlanned.keys()) if (!this.#aftercare.has(id)) this.#aftercarePlanned.delete(id);
  }

  #planAftercare(c: CaseSummary, status: AftercareStatus): void {
    const rng = Rng.of(this.ctx.seed, SALT_AFTERCARE, caseSeed(c), c.whistleCount, statusIndex(status));
    const now = this.ctx.clock();
    if (status === 'resolved') {
      const resolvedAt = c.resolvedAt ? Date.parse(c.resolvedAt) : now;
      if (c.outcome === 'mediated' && courtRelated(c) && rng.chance(0.5)) {
        this.#plan(c.id, status, notBefore(this.ctx, resolvedAt + uniform(rng, 3, 30) * MINUTE_MS), 'confirm', rng);
      } else {
        this.#plan(c.id, status, notBefore(this.ctx, resolvedAt + lognormal(rng, 40 * MINUTE_MS, 0.6, 8 * MINUTE_MS, 4 * 60 * MINUTE_MS)), 'followUp', rng);
      }
    } else if (status === 'confirmed') {
      this.#plan(c.id, status, now + uniform(rng, 10, 90) * MINUTE_MS, 'followUp', rng);
    } else {
      this.#plan(c.id, status, now + uniform(rng, 2, 30) * MINUTE_MS, 'archive', rng);
    }
  }

  #plan(caseId: string, status: AftercareStatus, at: number, step: 'confirm' | 'followUp' | 'archive', rng: Rng): void {
    this.ctx.agenda.at(at, async () => {
      const c = this.#aftercare.get(caseId);
      if (!c || c.status !== status) return;
      const actor = this.#officer(c);
      const result = await send(this.ctx, {
        actor,
        target: c,
        command:
          step === 'confirm' ? { type: 'confirm', note: rng.pick(CONFIRM_NOTES) }
          : step === 'archive' ? { type: 'archive' }
          : followUp(rng, c),
        stillApplies: (now) => now.status === status,
        stat: step === 'confirm' ? 'confirmed' : step === 'archive' ? 'archived' : 'followedUp',
      });
      if (!result) return;
      if (result.status === 'reopened') this.ctx.stats.reopened += 1;
      // Archived or reopened (back to the queue), it has left aftercare; otherwise it waits for its next step.
      if ((AFTERCARE_STATUSES as readonly string[]).includes(result.status)) this.#aftercare.set(caseId, { ...c, version: result.version, status: result.status as CaseStatus });
      else this.#aftercare.delete(caseId);
    });
  }
}

/** Court-related: referred by the court, mediated on the judicial channel, or with the court in the whistle. */
export function courtRelated(c: CaseSummary): boolean {
  return c.source === 'court' || c.channel === 'judicial' || Boolean(c.whistle?.assignments.some((a) => a.deptId === 'court'));
}

/** Most cases stay in the community, some go to the street, few to the district; heavier and returning ones climb. */
export function chooseTriage(rng: Rng, c: CaseSummary, origin: CaseStatus): { tier: Tier; channel: Channel } {
  let weights: Record<Tier, number> = { community: 70, street: 25, district: 5 };
  if (c.severity >= 5 || c.peopleInvolved >= 30) weights = { community: 20, street: 45, district: 35 };
  else if (c.severity >= 4 || c.peopleInvolved >= 10) weights = { community: 45, street: 40, district: 15 };
  if ((origin === 'returned' || origin === 'reopened') && c.tier) {
    const climb = { community: { community: 40, street: 50, district: 10 }, street: { community: 0, street: 60, district: 40 }, district: { community: 0, street: 0, district: 1 } };
    weights = climb[c.tier];
  }
  const habit = { ...(CHANNEL_HABITS[c.category] ?? { people: 1 }) };
  // Court referrals (诉前调解) are mediated with the court's judicial confirmation in view.
  if (c.source === 'court') habit.judicial = (habit.judicial ?? 0) + 6;
  return { tier: rng.weighted(weights), channel: rng.weighted(habit as Record<Channel, number>) };
}

/**
 * The officer takes the suggested lead and most suggested assists, sometimes dropping one. After a return, the lead
 * named in the return reason usually gets it; otherwise someone other than the department that returned it.
 */
export function chooseWhistle(
  rng: Rng,
  c: CaseSummary,
  origin: CaseStatus,
  s: DispatchSuggestion,
  departments: readonly DepartmentInfo[],
): { urgency: Urgency; lead: string; assists: string[] } {
  const known = new Set(departments.map((d) => d.id));
  const suggestedAssists = s.assists.map((a) => a.deptId);
  let lead = s.lead.deptId;
  const returner = origin === 'returned' ? c.lastReturn?.deptId : undefined;
  if (returner) {
    const named = departments.filter((d) => d.id !== returner && c.lastReturn!.reason.includes(d.short.zh)).map((d) => d.id)[0];
    const others = [...suggestedAssists, `street-${c.streetCode}`, 'justice'].filter((id) => id !== returner && known.has(id));
    if (named && rng.chance(0.75)) lead = named;
    else if (lead === returner || rng.chance(0.5)) lead = others[0] ?? lead;
  } else if (origin === 'reopened' && suggestedAssists.length > 0 && rng.chance(0.3)) {
    lead = rng.pick(suggestedAssists);
  }
  let assists = [s.lead.deptId, ...suggestedAssists].filter((id) => id !== lead && id !== returner && rng.chance(0.92));
  assists = [...new Set(assists)];
  if (assists.length >= 2 && rng.chance(0.25)) assists.splice(rng.int(0, assists.length - 1), 1);
  let urgency = s.urgency;
  // A case coming back a second time is pushed harder.
  if (urgency === 'normal' && (origin === 'returned' || origin === 'reopened') && rng.chance(0.3)) urgency = 'urgent';
  return { urgency, lead, assists: assists.slice(0, 8) };
}

export function triageNote(rng: Rng, c: CaseSummary): string {
  const notes = [...TRIAGE_NOTES.any, ...(c.peopleInvolved >= 10 ? TRIAGE_NOTES.many : []), ...(c.severity >= 4 ? TRIAGE_NOTES.severe : [])];
  return rng.pick(notes);
}

export function followUp(rng: Rng, c: CaseSummary): { type: 'followUp'; satisfaction: number; note: string } {
  // Satisfaction 1–5; at most 2 reopens the case.
  const weights: Record<string, number> =
    c.outcome === 'unresolved' ? { '5': 5, '4': 20, '3': 35, '2': 25, '1': 15 }
    : c.outcome === 'litigation' ? { '5': 15, '4': 35, '3': 30, '2': 15, '1': 5 }
    : { '5': 56, '4': 30, '3': 7, '2': 5, '1': 2 };
  const satisfaction = Number(rng.weighted(weights));
  const mood = satisfaction >= 4 ? 'satisfied' : satisfaction === 3 ? 'neutral' : 'dissatisfied';
  return { type: 'followUp', satisfaction, note: rng.pick(FOLLOW_UP_NOTES[mood]) };
}
