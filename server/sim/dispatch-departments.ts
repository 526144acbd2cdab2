/**
 * The simulated departments (报到 side of 吹哨报到). Each has a seeded pace: the police and the court answer fast,
 * housing and planning slowly, street offices vary. A department watches its own parts of active whistles, reports
 * in after a delay drawn from its pace against the part's deadline (so slow ones miss 特急's one clock hour and the
 * timers supervise and escalate them), now and then returns a whistle it thinks is not its own, and as lead adds
 * progress notes and resolves after a handling time.
 */
import type { CaseSummary, DeptWhistleRow } from '../../shared/api.js';
import type { AssignmentState } from '../../shared/lifecycle.js';
import type { DepartmentInfo } from '../../shared/geo.js';
import type { Outcome } from '../../shared/vocabulary.js';
import { caseSeed, DEFAULT_RETURN_RATE, hashText, HOUR_MS, lognormal, MINUTE_MS, notBefore, send, uniform, type SimContext } from './dispatch-context.js';
import type { SimActor } from './dispatch-http.js';
import { LABOUR_PROGRESS_NOTES, PROGRESS_NOTES, RETURN_REASONS, RETURN_REASONS_UNADDRESSED } from './dispatch-texts.js';
import { fakeName } from './people.js';
import { Rng } from './random.js';
import { OUTCOME_MIX, OUTCOME_NOTES } from './vocab.js';

const SALT_PROFILE = 0xde9;
const SALT_REPORT = 0x9e1;
const SALT_HANDLE = 0x4a7;

export type Pace = 'fast' | 'steady' | 'slow';

export interface DeptProfile {
  pace: Pace;
  /** Median time to report in once whistled, when nothing gets in the way. */
  reactMs: number;
  /** Share of parts the department lets slip past the deadline whatever its length (leave, backlog, a lost call). */
  lateShare: number;
  /** Multiplies the handling time of the cases it leads. */
  handling: number;
}

const PACES: Record<Pace, Omit<DeptProfile, 'pace'>> = {
  fast: { reactMs: 7 * MINUTE_MS, lateShare: 0.03, handling: 0.6 },
  steady: { reactMs: 22 * MINUTE_MS, lateShare: 0.1, handling: 1 },
  slow: { reactMs: 50 * MINUTE_MS, lateShare: 0.35, handling: 1.8 },
};
const FAST = new Set(['police', 'court', 'traffic-police']);
const SLOW = new Set(['housing', 'planning']);

export function deptProfile(seed: number, dept: DepartmentInfo): DeptProfile {
  const rng = Rng.of(seed, SALT_PROFILE, hashText(dept.id));
  const pace: Pace =
    FAST.has(dept.id) ? 'fast'
    : SLOW.has(dept.id) ? 'slow'
    : dept.kind === 'street' ? rng.weighted({ fast: 1, steady: 2, slow: 1.2 })
    : rng.weighted({ fast: 1, steady: 4, slow: 1 });
  const base = PACES[pace];
  return { pace, reactMs: base.reactMs * uniform(rng, 0.8, 1.25), lateShare: base.lateShare, handling: base.handling * uniform(rng, 0.8, 1.25) };
}

/** Report-in delay: the department's reaction time, or past the deadline when this part slips. */
export function reportDelay(rng: Rng, profile: DeptProfile, budgetMs: number): number {
  const react = lognormal(rng, profile.reactMs, 0.7, 30_000, 12 * HOUR_MS);
  // Past the deadline, sometimes past twice it (escalated by the timers) before anyone reports in.
  return rng.chance(profile.lateShare) ? Math.max(react, budgetMs * uniform(rng, 1.05, 2.3)) : react;
}

export class DepartmentDesk {
  readonly actor: SimActor;
  #parts = new Map<string, DeptWhistleRow>();
  readonly #planned = new Map<string, string>();

  constructor(
    private readonly ctx: SimContext,
    readonly dept: DepartmentInfo,
    readonly profile: DeptProfile,
    /** Department id → short Chinese name, as a return reason names them. */
    private readonly names: ReadonlyMap<string, string>,
  ) {
    this.actor = { role: 'dept', deptId: dept.id, name: fakeName(Rng.of(ctx.seed, SALT_PROFILE + 1, hashText(dept.id))) };
  }

  /** Reads the department's open parts and plans what to do about each new one (or each one that moved on). */
  async poll(): Promise<void> {
    const page = await this.ctx.http.get<{ items: DeptWhistleRow[] }>(`/api/departments/${this.dept.id}/whistles`, this.actor);
    if (!page) return;
    const parts = new Map(page.items.map((row) => [row.whistle.whistleId, row]));
    this.#parts = parts;
    for (const row of page.items) {
      const key = `${row.whistle.whistleId}:${row.assignment.status}`;
      if (this.#planned.get(row.whistle.whistleId) === key) continue;
      this.#planned.set(row.whistle.whistleId, key);
      if (row.assignment.status === 'pending') this.#planReport(row);
      else if (row.assignment.status === 'reported') this.#planHandling(row);
    }
    for (const id of this.#planned.keys()) if (!parts.has(id)) this.#planned.delete(id);
  }

  #rng(salt: number, row: DeptWhistleRow): Rng {
    return Rng.of(this.ctx.seed, salt, caseSeed(row.case), row.case.whistleCount, hashText(this.dept.id));
  }

  #planReport(row: DeptWhistleRow): void {
    const rng = this.#rng(SALT_REPORT, row);
    const a = row.assignment;
    const whistledAt = Date.parse(row.whistle.whistledAt);
    // About one lead in twenty sends the whistle back; fewer once it has already come back, and never a third time.
    const first = this.ctx.returnRate ?? DEFAULT_RETURN_RATE;
    const returns = a.role === 'lead' && row.case.whistleCount < 3 && rng.chance(row.case.whistleCount > 1 ? first * 0.4 : first);
    const delay = reportDelay(rng, this.profile, Date.parse(a.reportDueAt) - whistledAt);
    const at = notBefore(this.ctx, whistledAt + (returns ? delay * uniform(rng, 0.4, 1) : delay));
    this.ctx.agenda.at(at, () => (returns ? this.#return(row.whistle.whistleId, rng) : this.#reportIn(row.whistle.whistleId)));
  }

  #planHandling(row: DeptWhistleRow): void {
    const rng = this.#rng(SALT_HANDLE, row);
    const a = row.assignment;
    const reportedAt = a.reportedAt ? Date.parse(a.reportedAt) : this.ctx.clock();
    const whistleId = row.whistle.whistleId;
    if (a.role !== 'lead') {
      if (rng.chance(0.2)) this.ctx.agenda.at(notBefore(this.ctx, reportedAt + uniform(rng, 5, 90) * MINUTE_MS), () => this.#progress(whistleId, rng));
      return;
    }
    let handling = lognormal(rng, 35 * MINUTE_MS * this.profile.handling, 1, 3 * MINUTE_MS, 12 * HOUR_MS);
    if (rng.chance(this.profile.lateShare / 3)) handling = Math.max(handling, (Date.parse(a.resolveDueAt) - reportedAt) * uniform(rng, 1.05, 1.6));
    const notes = rng.weightedOf([0, 1, 2], [50, 35, 15]);
    const times = Array.from({ length: notes }, () => reportedAt + handling * uniform(rng, 0.15, 0.85)).sort((x, y) => x - y);
    for (const t of times) this.ctx.agenda.at(notBefore(this.ctx, t), () => this.#progress(whistleId, rng));
    this.ctx.agenda.at(notBefore(this.ctx, reportedAt + handling), () => this.#resolve(whistleId, rng));
  }

  /** The part as last seen, if it is still open in the given state. */
  #part(whistleId: string, status: AssignmentState['status']): DeptWhistleRow | undefined {
    const row = this.#parts.get(whistleId);
    return row && row.assignment.status === status ? row : undefined;
  }

  /** Whether the case, as the server now has it, still holds this department's part in this whistle in `status`. */
  #stillMine(whistleId: string, status: AssignmentState['status']): (current: CaseSummary) => boolean {
    return (current) =>
      current.whistle?.whistleId === whistleId && !current.whistle.closedAt && current.whistle.assignments.some((a) => a.deptId === this.dept.id && a.status === status);
  }

  /** Keeps the version (and our part's status) current after our own command, so the next one is not stale. */
  #acted(row: DeptWhistleRow, version: number, status?: AssignmentState['status']): void {
    row.case = { ...row.case, version };
    if (status) row.assignment = { ...row.assignment, status };
  }

  async #reportIn(whistleId: string): Promise<void> {
    const row = this.#part(whistleId, 'pending');
    if (!row) return;
    const late = this.ctx.clock() > Date.parse(row.assignment.reportDueAt);
    const result = await send(this.ctx, {
      actor: this.actor, target: row.case, command: { type: 'reportIn' }, stillApplies: this.#stillMine(whistleId, 'pending'), stat: 'reportedIn',
    });
    if (!result) return;
    if (late) this.ctx.stats.lateReportIns += 1;
    this.#acted(row, result.version, 'reported');
  }

  async #return(whistleId: string, rng: Rng): Promise<void> {
    const row = this.#part(whistleId, 'pending');
    if (!row) return;
    const result = await send(this.ctx, {
      actor: this.actor, target: row.case, command: { type: 'return', reason: this.#returnReason(rng, row) }, stillApplies: this.#stillMine(whistleId, 'pending'), stat: 'returned',
    });
    if (result) this.#acted(row, result.version, 'returned');
  }

  /** Names who should lead instead: another department of the whistle, else the case's street office. */
  #returnReason(rng: Rng, row: DeptWhistleRow): string {
    if (rng.chance(0.15)) return rng.pick(RETURN_REASONS_UNADDRESSED);
    const notMine = (id: string) => id !== this.dept.id && this.names.has(id);
    const others = row.whistle.assignments.map((a) => a.deptId).filter(notMine);
    const other = others.length > 0 ? rng.pick(others) : [`street-${row.case.streetCode}`, 'justice'].find(notMine);
    return rng.pick(RETURN_REASONS).replace('{dept}', (other && this.names.get(other)) ?? '司法局');
  }

  async #progress(whistleId: string, rng: Rng): Promise<void> {
    const row = this.#part(whistleId, 'reported');
    if (!row) return;
    const notes = row.case.category === 'labour' || row.case.category === 'gig' ? [...PROGRESS_NOTES, ...LABOUR_PROGRESS_NOTES] : PROGRESS_NOTES;
    const result = await send(this.ctx, {
      actor: this.actor, target: row.case, command: { type: 'progress', note: rng.pick(notes) }, stillApplies: this.#stillMine(whistleId, 'reported'), stat: 'progress',
    });
    if (result) this.#acted(row, result.version);
  }

  async #resolve(whistleId: string, rng: Rng): Promise<void> {
    const row = this.#part(whistleId, 'reported');
    if (!row) return;
    // Court referrals end in litigation more often: the parties are already on their way to court.
    const mix = row.case.source === 'court' ? { ...OUTCOME_MIX, litigation: OUTCOME_MIX.litigation * 2.5 } : OUTCOME_MIX;
    const outcome: Outcome = rng.weighted(mix);
    const result = await send(this.ctx, {
      actor: this.actor,
      target: row.case,
      command: { type: 'resolve', outcome, note: rng.pick(OUTCOME_NOTES[outcome]) },
      stillApplies: (current) => current.status === 'handling' && this.#stillMine(whistleId, 'reported')(current),
      stat: 'resolved',
    });
    if (result) this.#acted(row, result.version, 'closed');
  }
}
