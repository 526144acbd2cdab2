/**
 * What the simulated officer and departments share: the clock, the diary, the HTTP client, counters, and the one
 * way they send a command (expectedVersion from the latest state they saw, a fresh commandId per intention, and on a
 * 409 one reconsideration against the state the server sent back — never a hot loop).
 */
import { randomUUID } from 'node:crypto';
import type { CaseSummary } from '../../shared/api.js';
import type { CommandInput, CommandResult } from '../../shared/dispatch.js';
import type { Clock } from '../../shared/time.js';
import type { Agenda } from './dispatch-agenda.js';
import type { SimActor, SimHttp } from './dispatch-http.js';
import type { FeedLogger } from './demo-feed.js';
import { Rng } from './random.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;

export const statKeys = [
  'triaged', 'whistled', 'reportedIn', 'lateReportIns', 'returned', 'progress', 'resolved', 'confirmed',
  'followedUp', 'reopened', 'archived', 'conflicts', 'stale', 'errors',
] as const;
export type StatKey = (typeof statKeys)[number];
export type DispatchStats = Record<StatKey, number>;

export function emptyStats(): DispatchStats {
  return Object.fromEntries(statKeys.map((k) => [k, 0])) as DispatchStats;
}

export interface SimContext {
  seed: number;
  clock: Clock;
  agenda: Agenda;
  http: SimHttp;
  log: FeedLogger;
  stats: DispatchStats;
  /** Cases reported earlier are history (closed by intake); the officer leaves them alone. */
  since: number;
  /** How often a lead sends a first whistle back (DEFAULT_RETURN_RATE unless a test asks for more). */
  returnRate?: number;
}

/** About one lead in twenty sends a whistle back the first time. */
export const DEFAULT_RETURN_RATE = 0.05;

/** FNV-1a: a stable 32-bit number for a string, to seed decisions about it. */
export function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A case's identity for decisions, from the facts it was reported with rather than the ids the server made up, so
 * the same demo case (or test case) meets the same decisions in every run and after every restart.
 */
export function caseSeed(c: CaseSummary): number {
  return hashText(`${c.reportedAt}|${c.kind}|${c.category}|${c.source}|${c.communityCode}|${c.severity}|${c.peopleInvolved}`);
}

/** Log-normal around `median`, clamped: human delays have a long tail but no absurd one. */
export function lognormal(rng: Rng, median: number, sigma: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, median * Math.exp(sigma * rng.normal())));
}

export function uniform(rng: Rng, min: number, max: number): number {
  return min + rng.next() * (max - min);
}

/**
 * When a planned action happens: at its planned time, or soon when that has passed (after a restart, say), spread
 * over two minutes so a backlog does not land at once. The spread has its own stream: whether a plan was late must not
 * change the decisions drawn after it.
 */
export function notBefore(ctx: SimContext, planned: number): number {
  const now = ctx.clock();
  return planned > now ? planned : now + Math.round(uniform(Rng.of(ctx.seed, 0x7e1a7e, Math.floor(planned)), 5_000, 2 * MINUTE_MS));
}

export type CommandBody = CommandInput extends infer C ? (C extends unknown ? Omit<C, 'commandId' | 'expectedVersion'> : never) : never;

export interface Intention {
  actor: SimActor;
  /** The case as last seen: its id and version. */
  target: { id: string; version: number };
  command: CommandBody;
  /** Whether the intention still makes sense for the case as the server now has it (after a 409). */
  stillApplies: (current: CaseSummary) => boolean;
  stat: StatKey;
}

/** Sends one intended command; the result, or undefined when the case moved on or the server refused it. */
export async function send(ctx: SimContext, intention: Intention): Promise<CommandResult | undefined> {
  const { actor, command, stat } = intention;
  let version = intention.target.version;
  for (let attempt = 0; attempt < 2; attempt++) {
    const body = { ...command, commandId: randomUUID(), expectedVersion: version } as CommandInput;
    const answer = await ctx.http.command(intention.target.id, actor, body);
    if (answer.ok) {
      ctx.stats[stat] += 1;
      return answer.result;
    }
    if (answer.status === 409) {
      ctx.stats.conflicts += 1;
      if (attempt === 0 && answer.current && intention.stillApplies(answer.current)) {
        version = answer.current.version;
        continue;
      }
      return undefined;
    }
    // A department whose part was closed meanwhile (the lead returned it, the case was resolved) may no longer act
    // on, or even see, the case: that is the race of real work, not a fault.
    if (actor.role === 'dept' && (answer.status === 403 || answer.status === 404)) {
      ctx.stats.stale += 1;
      return undefined;
    }
    ctx.stats.errors += 1;
    ctx.log.error({ status: answer.status, code: answer.code, message: answer.message, type: command.type, caseId: intention.target.id, actor: actor.deptId ?? actor.role }, 'dispatch sim: command refused');
    return undefined;
  }
  return undefined;
}
