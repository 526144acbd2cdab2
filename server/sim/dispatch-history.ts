/**
 * The demo's dispatch history: while the feed backfills its days of intake, this takes a seeded share of the
 * backfilled cases through the whole closed loop (docs/architecture.md §3) — triage with tier and channel, whistles to
 * a lead and assisting departments, report-ins on time and late at each department's own pace
 * (dispatch-departments.ts), returns and re-dispatch, 督办 and escalation when a deadline passes, resolutions with
 * outcomes, judicial confirmations, follow-ups with satisfaction (a dissatisfied one reopens the case), archiving —
 * so every panel of the wall and the desks has meaning the moment the demo opens.
 *
 * Every step goes through the server's own command service (server/commands.ts), in-process, decided as of the
 * simulated moment (`at`): the same lifecycle checks, the same deadlines, one event per step, answered after commit.
 * Nothing here is an HTTP route. The overdue timers' 督办 and 升级 of the past are fired here at the moment they fell
 * due, with the timers' own keys, while the live timers are held (timers.ts `holdUntil`).
 *
 * Deterministic per seed: every decision is drawn from a stream seeded by the case's sourceRef, and every command
 * has an id derived from it, so a restart on the same data re-sends history that is already there and the command
 * service answers it as a duplicate: nothing is written twice. What is still ahead at the hand-over (a part not yet
 * reported in, a follow-up not yet made) is left to the live simulation (dispatch-sim.ts), which carries on from
 * the state the log holds.
 */
import type { CaseSummary, DispatchSuggestion } from '../../shared/api.js';
import { commandSchema, systemActor, type Actor, type Command, type CommandInput, type SystemCommand } from '../../shared/dispatch.js';
import type { CaseRecord } from '../domain/case-index.js';
import { suggestDispatch, type DispatchPolicy } from '../domain/dispatch-rules.js';
import { simUsername } from './demo-access.js';
import type { DepartmentInfo } from '../../shared/geo.js';
import type { IntakeEvent } from '../../shared/intake.js';
import { dueTimers, type CaseState } from '../../shared/lifecycle.js';
import type { Outcome } from '../../shared/vocabulary.js';
import { caseSeed, hashText, HOUR_MS, lognormal, MINUTE_MS, uniform } from './dispatch-context.js';
import { deptProfile, reportDelay, type DeptProfile } from './dispatch-departments.js';
import type { SimActor } from './dispatch-http.js';
import { chooseTriage, chooseWhistle, courtRelated, followUp, triageNote } from './dispatch-officer.js';
import { CONFIRM_NOTES, DUTY_OFFICERS, LABOUR_PROGRESS_NOTES, PROGRESS_NOTES, RETURN_REASONS, RETURN_REASONS_UNADDRESSED, WHISTLE_NOTES } from './dispatch-texts.js';
import { EventQueue } from './event-queue.js';
import { Rng } from './random.js';
import { OUTCOME_MIX, OUTCOME_NOTES } from './vocab.js';

export const DISPATCH_HISTORY_DEFAULTS = Object.freeze({
  /** Share of backfilled cases the centre dispatched itself; the rest were closed by the integrations that hold them. */
  share: 0.1,
  /**
   * Cases reported this close to the hand-over are not picked: their triage and whistle would fall after it, and the
   * live officers leave cases older than the live start alone.
   */
  handoverMs: 30 * MINUTE_MS,
  /** Cases whose steps are written at once (their appends share the store's group commits). */
  concurrency: 96,
  /**
   * Steps are taken in time order in slices this long: each case's steps in order, different cases' side by side (a
   * longer slice writes more cases at once; each step keeps its own simulated time whatever the order of commit).
   */
  sliceMs: 24 * HOUR_MS,
});

/** A case as the history writer reads it back after each step. */
export type HistoryCase = CaseSummary & CaseState;

export interface CommandAnswer {
  ok: boolean;
  code?: string;
  message?: string;
  result?: { version: number; status: string; duplicate: boolean };
}

export interface DispatchHistoryDeps {
  seed: number;
  departments: readonly DepartmentInfo[];
  /** The command service, in-process, decided as of `at`. */
  execute(caseId: string, command: CommandInput | SystemCommand, actor: Actor, at: number): Promise<CommandAnswer>;
  /** The case intake stored for `source:sourceRef`. */
  caseBySourceKey(key: string): HistoryCase | undefined;
  caseById(id: string): HistoryCase | undefined;
  /** The routing rules' suggestion for the case, as of `at`. */
  suggest(c: HistoryCase, at: number): DispatchSuggestion;
  /** The demo user a simulated officer or department acts as. */
  actorFor(sim: SimActor): Actor;
  share?: number;
  concurrency?: number;
  sliceMs?: number;
}

/** What the history wrote, by step (duplicates of an earlier run and refusals counted apart). */
export interface HistoryStats {
  cases: number;
  written: number;
  duplicates: number;
  refused: number;
  byType: Record<string, number>;
  /** Refusals by step and code (`resolve:invalid_transition`): a step the case had moved past, say. */
  refusedBy: Record<string, number>;
}

type Step =
  | { kind: 'triage' | 'whistle'; round: number; origin: 'received' | 'returned' | 'reopened' }
  | { kind: 'reportIn' | 'return' | 'resolve'; round: number; deptId: string }
  | { kind: 'progress'; round: number; deptId: string; n: number }
  | { kind: 'confirm' | 'followUp' | 'archive'; round: number }
  | { kind: 'supervise'; round: number; deptId: string; n: number }
  | { kind: 'timer'; command: SystemCommand };

interface Planned {
  caseId: string;
  at: number;
  step: Step;
}

const SALT = 0x415707;

/** A department's part in the case's open whistle, if any. */
function partStatus(c: HistoryCase, deptId: string): string | undefined {
  return c.whistle && !c.whistle.closedAt ? c.whistle.assignments.find((a) => a.deptId === deptId)?.status : undefined;
}

function sameTimer(a: SystemCommand, b: SystemCommand): boolean {
  return a.type === b.type && a.whistleId === b.whistleId && a.deptId === b.deptId && a.stage === b.stage;
}

export class DispatchHistory {
  readonly stats: HistoryStats = { cases: 0, written: 0, duplicates: 0, refused: 0, byType: {}, refusedBy: {} };
  readonly #deps: DispatchHistoryDeps;
  readonly #queue = new EventQueue<Planned>();
  /** Per case: the hash of its sourceRef (the seed of every decision about it) and the time of its last step. */
  readonly #cases = new Map<string, { ref: number; lastAt: number }>();
  readonly #timers = new Set<string>();
  readonly #profiles = new Map<string, DeptProfile>();
  readonly #names: Map<string, string>;
  readonly #deptIndex: Map<string, number>;
  #cursor: number | undefined;
  /** From this moment on (the last hours before the live start) steps are taken an hour's slice at a time. */
  fineFrom = Infinity;

  constructor(deps: DispatchHistoryDeps) {
    this.#deps = deps;
    this.#names = new Map(deps.departments.map((d) => [d.id, d.short.zh]));
    this.#deptIndex = new Map(deps.departments.map((d, i) => [d.id, i]));
    for (const d of deps.departments) this.#profiles.set(d.id, deptProfile(deps.seed, d));
  }

  /** Steps planned but not yet taken (those past the hand-over are left to the live simulation). */
  get pending(): number {
    return this.#queue.size;
  }

  /**
   * Takes up the dispatched cases among `reported` (intake must have stored them) and writes every step planned
   * before `until`, in time order. Windows follow each other; the last one ends at the hand-over.
   */
  async window(reported: readonly IntakeEvent[], until: number): Promise<void> {
    for (const event of reported) {
      if (event.type !== 'case.reported') continue;
      const c = this.#deps.caseBySourceKey(`${event.source}:${event.sourceRef}`);
      if (!c || this.#cases.has(c.id)) continue;
      const ref = hashText(event.sourceRef);
      this.#cases.set(c.id, { ref, lastAt: Date.parse(c.reportedAt) });
      this.stats.cases += 1;
      const rng = this.#rng(c.id, 1, 0);
      // Reading the case, calling the applicant back, checking the map: minutes, longer at night.
      this.#plan(c.id, Date.parse(c.reportedAt) + lognormal(rng, 3 * MINUTE_MS, 0.6, 40_000, 20 * MINUTE_MS), { kind: 'triage', round: 0, origin: 'received' });
    }
    const slice = this.#deps.sliceMs ?? DISPATCH_HISTORY_DEFAULTS.sliceMs;
    let t = this.#cursor ?? until;
    if (t > until) t = until;
    do {
      // The last hours before the hand-over in hour slices: the log (and the wall's ticker) ends in time order.
      let next = t + slice;
      if (next > this.fineFrom) next = t >= this.fineFrom ? t + HOUR_MS : this.fineFrom;
      t = Math.min(until, next);
      await this.#drain(t);
    } while (t < until);
    this.#cursor = until;
  }

  async #drain(before: number): Promise<void> {
    const limit = this.#deps.concurrency ?? DISPATCH_HISTORY_DEFAULTS.concurrency;
    for (;;) {
      const due = this.#queue.popBefore(before);
      if (due.length === 0) return;
      const byCase = new Map<string, Planned[]>();
      for (const p of due) {
        const list = byCase.get(p.caseId);
        if (list) list.push(p);
        else byCase.set(p.caseId, [p]);
      }
      const chains = [...byCase.values()];
      let next = 0;
      const worker = async () => {
        while (next < chains.length) {
          const chain = chains[next++]!;
          for (const p of chain) await this.#take(p);
        }
      };
      await Promise.all(Array.from({ length: Math.min(limit, chains.length) }, worker));
    }
  }

  #plan(caseId: string, at: number, step: Step): void {
    this.#queue.push(at, { caseId, at, step });
  }

  #rng(caseId: string, salt: number, round: number, extra = 0): Rng {
    return Rng.of(this.#deps.seed, SALT + salt, this.#cases.get(caseId)!.ref, round, extra);
  }

  #commandId(caseId: string, step: Exclude<Step, { kind: 'timer' }>): string {
    const dept = 'deptId' in step ? this.#deptIndex.get(step.deptId) ?? 99 : 0;
    const n = step.kind === 'progress' || step.kind === 'supervise' ? step.n : 0;
    return `h${this.#deps.seed}-${this.#cases.get(caseId)!.ref.toString(36)}-${step.kind}-${step.round}-${dept}-${n}`;
  }

  #duty(c: CaseSummary): Actor {
    return this.#deps.actorFor({ role: 'duty', name: DUTY_OFFICERS[caseSeed(c) % DUTY_OFFICERS.length]! });
  }

  #dept(deptId: string): Actor {
    return this.#deps.actorFor({ role: 'dept', deptId, name: this.#names.get(deptId) ?? deptId });
  }

  async #take(p: Planned): Promise<void> {
    const c = this.#deps.caseById(p.caseId);
    const own = this.#cases.get(p.caseId);
    if (!c || !own) return;
    // A case's steps never go back in time, whatever order the slices met them in.
    const at = Math.max(p.at, own.lastAt);
    const step = p.step;
    let command: CommandInput | SystemCommand;
    let actor: Actor;
    // A timer whose stage has passed (the department reported in, the case was resolved) is simply not due any more.
    if (step.kind === 'timer' && !dueTimers(c).some((t) => sameTimer(t.command, step.command))) return;
    if (step.kind === 'timer') {
      command = step.command;
      actor = systemActor;
    } else {
      const body = this.#command(c, step, at);
      if (!body) return;
      // The first step is taken only on a case nobody has touched (after a restart, the live desks may have).
      const expectedVersion = step.kind === 'triage' && step.origin === 'received' ? 1 : c.version;
      command = { ...body, commandId: this.#commandId(p.caseId, step), expectedVersion } as CommandInput;
      actor = 'deptId' in step && step.kind !== 'supervise' ? this.#dept(step.deptId) : this.#duty(c);
    }
    const answer = await this.#deps.execute(p.caseId, command, actor, at);
    if (!answer.ok || !answer.result) {
      this.stats.refused += 1;
      const why = `${step.kind === 'timer' ? step.command.type : step.kind}:${answer.code ?? 'refused'}`;
      this.stats.refusedBy[why] = (this.stats.refusedBy[why] ?? 0) + 1;
      return;
    }
    if (answer.result.duplicate) this.stats.duplicates += 1;
    else {
      this.stats.written += 1;
      const type = step.kind === 'timer' ? step.command.type : step.kind;
      this.stats.byType[type] = (this.stats.byType[type] ?? 0) + 1;
    }
    own.lastAt = at;
    const after = this.#deps.caseById(p.caseId);
    if (after) this.#next(after, step, at);
  }

  /** The command a step sends, or undefined when the case has moved past it. */
  #command(c: HistoryCase, step: Exclude<Step, { kind: 'timer' }>, at: number): Record<string, unknown> | undefined {
    const rng = this.#rng(c.id, 2, step.round, hashText(step.kind + ('deptId' in step ? step.deptId : '')));
    switch (step.kind) {
      case 'triage': {
        const { tier, channel } = chooseTriage(rng, c, step.origin);
        return { type: 'triage', tier, channel, ...(rng.chance(0.25) && { note: triageNote(rng, c) }) };
      }
      case 'whistle': {
        const plan = chooseWhistle(rng, c, step.origin, this.#deps.suggest(c, at), this.#deps.departments);
        return { type: 'whistle', ...plan, ...(rng.chance(0.25) && { note: rng.pick(WHISTLE_NOTES) }) };
      }
      case 'reportIn':
        return partStatus(c, step.deptId) === 'pending' ? { type: 'reportIn' } : undefined;
      case 'return':
        if (partStatus(c, step.deptId) !== 'pending') return undefined;
        return { type: 'return', reason: this.#returnReason(rng, c, step.deptId) };
      case 'progress': {
        if (partStatus(c, step.deptId) !== 'reported') return undefined;
        const notes = c.category === 'labour' || c.category === 'gig' ? [...PROGRESS_NOTES, ...LABOUR_PROGRESS_NOTES] : PROGRESS_NOTES;
        return { type: 'progress', note: rng.pick(notes) };
      }
      case 'resolve': {
        if (partStatus(c, step.deptId) !== 'reported' || c.status !== 'handling') return undefined;
        const mix = c.source === 'court' ? { ...OUTCOME_MIX, litigation: OUTCOME_MIX.litigation * 2.5 } : OUTCOME_MIX;
        const outcome: Outcome = rng.weighted(mix);
        return { type: 'resolve', outcome, note: rng.pick(OUTCOME_NOTES[outcome]) };
      }
      case 'confirm':
        return { type: 'confirm', note: rng.pick(CONFIRM_NOTES) };
      case 'followUp':
        return followUp(rng, c);
      case 'archive':
        return { type: 'archive' };
      case 'supervise': {
        const status = partStatus(c, step.deptId);
        if (status !== 'pending' && status !== 'reported') return undefined;
        return { type: 'supervise', deptId: step.deptId, note: '请抓紧报到并反馈办理进度' };
      }
    }
  }

  #returnReason(rng: Rng, c: HistoryCase, deptId: string): string {
    if (rng.chance(0.15)) return rng.pick(RETURN_REASONS_UNADDRESSED);
    const notMine = (id: string) => id !== deptId && this.#names.has(id);
    const others = (c.whistle?.assignments ?? []).map((a) => a.deptId).filter(notMine);
    const other = others.length > 0 ? rng.pick(others) : [`street-${c.streetCode}`, 'justice'].find(notMine);
    return rng.pick(RETURN_REASONS).replace('{dept}', (other && this.#names.get(other)) ?? '司法局');
  }

  /** Plans what follows a step that was taken (or found already taken), from the case as it now stands. */
  #next(c: HistoryCase, step: Step, at: number): void {
    const round = c.whistleCount;
    const rng = this.#rng(c.id, 3, round, hashText(step.kind + ('deptId' in step ? step.deptId : '')));
    switch (c.status) {
      case 'triaged':
        if (step.kind === 'triage') this.#plan(c.id, at + uniform(rng, 5_000, 45_000), { kind: 'whistle', round, origin: step.origin });
        break;
      case 'returned':
      case 'reopened':
        if (step.kind === 'return' || step.kind === 'followUp') {
          this.#plan(c.id, at + lognormal(rng, 20 * MINUTE_MS, 0.7, 3 * MINUTE_MS, 4 * HOUR_MS), { kind: 'triage', round, origin: c.status });
        }
        break;
      case 'whistled':
      case 'handling':
        if (step.kind === 'whistle') this.#planParts(c, at);
        if (step.kind === 'reportIn') this.#planHandling(c, step.deptId, at);
        break;
      case 'resolved':
        if (step.kind === 'resolve') {
          if (c.outcome === 'mediated' && courtRelated(c) && rng.chance(0.5)) this.#plan(c.id, at + uniform(rng, 3, 30) * MINUTE_MS, { kind: 'confirm', round });
          else this.#plan(c.id, at + lognormal(rng, 3 * HOUR_MS, 0.8, 20 * MINUTE_MS, 2 * 24 * HOUR_MS), { kind: 'followUp', round });
        }
        break;
      case 'confirmed':
        if (step.kind === 'confirm') this.#plan(c.id, at + uniform(rng, 1, 24) * HOUR_MS, { kind: 'followUp', round });
        break;
      case 'followedUp':
        if (step.kind === 'followUp') this.#plan(c.id, at + uniform(rng, 0.5, 48) * HOUR_MS, { kind: 'archive', round });
        break;
      default:
        break;
    }
    this.#planTimers(c, step, at, rng);
  }

  /** Each department of a new whistle reports in at its own pace (or, now and then as lead, sends it back). */
  #planParts(c: HistoryCase, at: number): void {
    const w = c.whistle;
    if (!w) return;
    const round = c.whistleCount;
    for (const a of w.assignments) {
      const rng = this.#rng(c.id, 4, round, hashText(a.deptId));
      const profile = this.#profiles.get(a.deptId) ?? this.#profiles.values().next().value!;
      const returns = a.role === 'lead' && round < 3 && rng.chance(round > 1 ? 0.02 : 0.05);
      const delay = reportDelay(rng, profile, Date.parse(a.reportDueAt) - at);
      this.#plan(c.id, at + (returns ? delay * uniform(rng, 0.4, 1) : delay), { kind: returns ? 'return' : 'reportIn', round, deptId: a.deptId });
    }
  }

  /** After a report-in: the lead's notes and resolution, an assist's occasional note. */
  #planHandling(c: HistoryCase, deptId: string, at: number): void {
    const a = c.whistle?.assignments.find((x) => x.deptId === deptId);
    if (!a) return;
    const round = c.whistleCount;
    const rng = this.#rng(c.id, 5, round, hashText(deptId));
    if (a.role !== 'lead') {
      if (rng.chance(0.2)) this.#plan(c.id, at + uniform(rng, 5, 90) * MINUTE_MS, { kind: 'progress', round, deptId, n: 9 });
      return;
    }
    const profile = this.#profiles.get(deptId)!;
    let handling = lognormal(rng, 35 * MINUTE_MS * profile.handling, 1, 3 * MINUTE_MS, 12 * HOUR_MS);
    if (rng.chance(profile.lateShare / 3)) handling = Math.max(handling, (Date.parse(a.resolveDueAt) - at) * uniform(rng, 1.05, 1.6));
    const notes = rng.weightedOf([0, 1, 2], [50, 35, 15]);
    for (let n = 0; n < notes; n++) this.#plan(c.id, at + handling * uniform(rng, 0.15, 0.85), { kind: 'progress', round, deptId, n });
    this.#plan(c.id, at + handling, { kind: 'resolve', round, deptId });
  }

  /** The overdue timers the case now owes, each once; now and then an officer supervises a late part by hand too. */
  #planTimers(c: HistoryCase, step: Step, at: number, rng: Rng): void {
    for (const t of dueTimers(c)) {
      const key = `${c.id}:${t.command.whistleId}:${t.command.deptId}:${t.command.stage}:${t.command.type}`;
      if (this.#timers.has(key)) continue;
      this.#timers.add(key);
      this.#plan(c.id, Math.max(at, t.at), { kind: 'timer', command: t.command });
    }
    if (step.kind === 'timer' && step.command.type === 'autoSupervise' && rng.chance(0.3)) {
      this.#plan(c.id, at + uniform(rng, 5, 60) * MINUTE_MS, { kind: 'supervise', round: c.whistleCount, deptId: step.command.deptId, n: step.command.stage === 'resolve' ? 1 : 0 });
    }
  }
}

/** What `inProcessHistory` needs of the running server. */
export interface HistoryServer {
  commands: { execute(caseId: string, command: Command | SystemCommand, actor: Actor, options?: { at?: number }): Promise<CommandAnswer> };
  cases: { get(id: string): CaseRecord | undefined; bySourceKey(key: string): CaseRecord | undefined };
  directory: { userByName(username: string): { id: string; name: string; role: string; deptId?: string } | undefined };
  district: { departments: readonly DepartmentInfo[]; category(code: string): { departments?: { lead: string; assist: string[] } } | undefined };
  policy: DispatchPolicy;
}

/**
 * The history writer's hands on a running server: the command service in-process, each command first validated by
 * the same schema the HTTP route uses, acting as the demo's own users (sim/demo-access.ts).
 */
export function inProcessHistory(server: HistoryServer, seed: number, options: { share?: number; concurrency?: number } = {}): DispatchHistory {
  const known = new Set(server.district.departments.map((d) => d.id));
  const actors = new Map<string, Actor>();
  return new DispatchHistory({
    seed,
    departments: server.district.departments,
    ...options,
    async execute(caseId, command, actor, at) {
      let checked: Command | SystemCommand;
      if ('commandId' in command) {
        const parsed = commandSchema.safeParse(command);
        if (!parsed.success) return { ok: false, code: 'invalid', message: parsed.error.issues[0]?.message ?? 'invalid command' };
        checked = parsed.data;
      } else checked = command;
      return server.commands.execute(caseId, checked, actor, { at });
    },
    caseBySourceKey: (key) => server.cases.bySourceKey(key),
    caseById: (id) => server.cases.get(id),
    suggest: (c, at) => suggestDispatch(server.policy, c, server.district.category(c.category)?.departments, (id) => known.has(id), at),
    actorFor(sim) {
      const username = simUsername(sim);
      let actor = actors.get(username);
      if (!actor) {
        const user = server.directory.userByName(username);
        if (!user) throw new Error(`demo user ${username} is missing`);
        actor = { role: sim.role, id: user.id, name: user.name, ...(user.deptId && { deptId: user.deptId }) };
        actors.set(username, actor);
      }
      return actor;
    },
  });
}
