/**
 * The demo district as a pure, deterministic stepper. Time is cut into one-minute slots; each slot's arrivals
 * come from a PRNG seeded by (seed, slot), so a slot always yields the same cases under the same sourceRefs no
 * matter when the simulation started — a restarted feed re-posts history the server already holds and the
 * intake API's idempotency swallows it. Later consequences of an arrival (follow-up cases, alerts, resolutions)
 * wait in a queue until their time comes: that queue is the simulation's only state.
 */
import type { CategoryInfo, DistrictInfo } from '../../shared/geo.js';
import type { IntakeEvent } from '../../shared/intake.js';
import { ordinaryCase, otherAlert, repeatPetition, resolution, wageBurst, type Timed } from './cases.js';
import { EventQueue } from './event-queue.js';
import { Rng } from './random.js';
import { buildWorld, rhythm, type World } from './world.js';

export const SLOT_MS = 60_000;
/** China has one time zone and no DST; the rhythm follows Shenzhen's office hours. */
export const DEFAULT_TZ_OFFSET_MINUTES = 480;

/** What one arrival is, with its per-arrival odds; whatever is left over is an ordinary dispute. */
const ARRIVAL_KINDS = [
  ['burst', 1 / 450],
  ['alert', 1 / 350],
  ['repeat-petition', 0.025],
  ['petition', 0.09],
] as const;
type ArrivalKind = (typeof ARRIVAL_KINDS)[number][0] | 'dispute';
/** Shares of cases that stay open beyond any window: ordinary ones, and the intractable repeat petitions. */
const NEVER_RESOLVED = 0.07;
const NEVER_RESOLVED_REPEAT = 0.25;

export interface SimulationOptions {
  seed: number;
  district: DistrictInfo;
  categories: readonly CategoryInfo[];
  /** Mean case arrivals per hour over a week; a function lets the rate change over time (backfill vs live). */
  ratePerHour: number | ((ms: number) => number);
  /** Nothing earlier is generated; defaults to the `from` of the first window. */
  startMs?: number;
  tzOffsetMinutes?: number;
  /**
   * Cases reported at or after this instant get no intake resolution: the dispatch simulation closes them through
   * the centre's own API, and a resolution arriving from intake as well would race it (and be refused once closed).
   */
  openFrom?: number;
  /**
   * History the centre dispatched itself (server/sim/dispatch-history.ts): cases reported before `before` that
   * `isDispatchedHistory` picks get no intake resolution, since the history writer takes them through the loop.
   */
  dispatchedHistory?: { share: number; before: number };
}

const SALT_DISPATCHED = 0xd15a7c;

/** Whether the history writer takes this case (by its sourceRef) through the closed loop: a seeded share of them. */
export function isDispatchedHistory(seed: number, sourceRef: string, share: number): boolean {
  if (!(share > 0)) return false;
  let h = 0x811c9dc5;
  for (let i = 0; i < sourceRef.length; i++) h = Math.imul(h ^ sourceRef.charCodeAt(i), 0x01000193);
  return Rng.of(seed, SALT_DISPATCHED, h >>> 0).next() < share;
}

export interface Simulation {
  /**
   * Every event with a timestamp in [fromMs, toMs), time-ordered. Windows must follow each other without gap or
   * overlap (each `from` is the previous `to`), which is what keeps every resolution behind its case.
   */
  eventsBetween(fromMs: number, toMs: number): IntakeEvent[];
  /** Follow-ups, alerts and resolutions already decided but not yet due. */
  readonly pending: number;
}

export function createSimulation(options: SimulationOptions): Simulation {
  const { seed, district, categories } = options;
  if (!Number.isSafeInteger(seed)) throw new RangeError('seed must be an integer');
  const rateAt = typeof options.ratePerHour === 'number' ? constant(options.ratePerHour) : options.ratePerHour;
  const world = buildWorld(seed, district, categories, options.tzOffsetMinutes ?? DEFAULT_TZ_OFFSET_MINUTES);
  const queue = new EventQueue<IntakeEvent>();
  let start = options.startMs;
  let cursor: number | undefined;
  let nextSlot = 0;

  return {
    get pending() {
      return queue.size;
    },
    eventsBetween(fromMs, toMs) {
      if (!(toMs >= fromMs)) throw new RangeError(`window [${fromMs}, ${toMs}) runs backwards`);
      if (cursor === undefined) {
        start ??= fromMs;
        if (fromMs !== start) throw new RangeError(`the first window must start at ${start}`);
        nextSlot = Math.floor(start / SLOT_MS);
      } else if (fromMs !== cursor) {
        throw new RangeError(`windows must be contiguous: expected from=${cursor}, got ${fromMs}`);
      }
      cursor = toMs;
      for (; nextSlot * SLOT_MS < toMs; nextSlot++) {
        for (const group of slotArrivals(world, seed, nextSlot, rateAt, options.openFrom ?? Infinity, options.dispatchedHistory)) {
          // The slot holding `start` began earlier; arrivals before it (and all they lead to) do not exist.
          if (group[0]!.t < start!) continue;
          for (const { t, event } of group) queue.push(t, event);
        }
      }
      return queue.popBefore(toMs);
    },
  };
}

function constant(rate: number): () => number {
  if (!(rate >= 0 && Number.isFinite(rate))) throw new RangeError('ratePerHour must be a finite number ≥ 0');
  return () => rate;
}

/** All arrivals of one slot, each with what follows from it (first element is the arrival itself). */
function slotArrivals(world: World, seed: number, slot: number, rateAt: (ms: number) => number, openFrom: number, dispatched?: { share: number; before: number }): Timed[][] {
  const slotStart = slot * SLOT_MS;
  const rng = Rng.of(seed, slot);
  const mean = (Math.max(0, rateAt(slotStart)) / 60) * rhythm(slotStart + SLOT_MS / 2, world.tzOffsetMinutes);
  const times = Array.from({ length: rng.poisson(mean) }, () => slotStart + Math.floor(rng.next() * SLOT_MS)).sort((a, b) => a - b);
  return times.map((t, k) => {
    const ref = `sim-${seed}-${slot}-${k}`;
    // One stream per arrival: its content does not shift when the slot's count changes with the rate.
    const r = Rng.of(seed, slot, k, 1);
    const kind = arrivalKind(r.next());
    if (kind === 'alert') return [{ t, event: otherAlert(r, world, ref, t) }];
    const group: Timed[] =
      kind === 'burst' ? wageBurst(r, world, ref, t)
      : kind === 'repeat-petition' ? [{ t, event: repeatPetition(r, world, ref, t) }]
      : [{ t, event: ordinaryCase(r, world, ref, t, kind) }];
    const closings: Timed[] = [];
    for (const { t: ct, event } of group) {
      if (event.type !== 'case.reported') continue;
      // Drawn even when dropped, so the stream (and every later draw of this arrival) is the same either way.
      const closing = resolution(r, world, event, ct, kind === 'repeat-petition' ? NEVER_RESOLVED_REPEAT : NEVER_RESOLVED);
      const byCentre = dispatched !== undefined && ct < dispatched.before && isDispatchedHistory(seed, event.sourceRef, dispatched.share);
      if (closing && ct < openFrom && !byCentre) closings.push(closing);
    }
    return [...group, ...closings];
  });
}

function arrivalKind(u: number): ArrivalKind {
  for (const [kind, p] of ARRIVAL_KINDS) {
    if (u < p) return kind;
    u -= p;
  }
  return 'dispute';
}
