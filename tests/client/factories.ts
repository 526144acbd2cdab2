/** Test data for the client's stores: public events and snapshots shaped like the server's. */
import type { PublicAlertRaised, PublicCaseReported, PublicCaseResolved, PublicEvent } from '../../shared/events.js';
import type { WallSnapshot } from '../../shared/socket.js';
import { applyEvent, emptyWallState, type WallState } from '../../shared/wall-state.js';

export const NOW = Date.parse('2026-11-22T04:00:00Z');
export const STREET = '440307013';
export const COMMUNITY = '440307013003';

export function reported(seq: number, overrides: Partial<PublicCaseReported['case']> = {}): PublicCaseReported {
  const at = new Date(NOW - 60_000 + seq).toISOString();
  return {
    seq,
    id: `e${seq}`,
    at,
    type: 'case.reported',
    source: 'hotline',
    case: {
      caseId: `c${seq}`,
      kind: 'dispute',
      category: 'labour',
      streetCode: STREET,
      communityCode: COMMUNITY,
      severity: 3,
      peopleInvolved: 1,
      weight: 3,
      reportedAt: at,
      ...overrides,
    },
  };
}

export function resolved(seq: number, of: PublicCaseReported): PublicCaseResolved {
  const at = new Date(NOW - 30_000 + seq).toISOString();
  return { seq, id: `e${seq}`, at, type: 'case.resolved', case: of.case, outcome: 'mediated', resolvedAt: at };
}

export function alert(seq: number, level: PublicAlertRaised['level'] = 'red'): PublicAlertRaised {
  const at = new Date(NOW - 10_000).toISOString();
  return { seq, id: `e${seq}`, at, type: 'alert.raised', alertId: `a${seq}`, level, title: '集体欠薪', streetCode: STREET, communityCode: COMMUNITY, raisedAt: at };
}

export function reportedRange(from: number, to: number): PublicCaseReported[] {
  return Array.from({ length: to - from + 1 }, (_, i) => reported(from + i));
}

/** A snapshot holding the fold of `events`, as the server would build it. */
export function snapshotOf(events: PublicEvent[], serverTime = NOW): WallSnapshot {
  const state: WallState = emptyWallState({ tzOffsetMinutes: 480, halfLifeHours: 24 });
  for (const event of events) applyEvent(state, event);
  return { serverTime: new Date(serverTime).toISOString(), state };
}

/** Frames and timers run only when the test says so. */
export class FakeScheduler {
  frames: Array<() => void> = [];
  retries: Array<{ run: () => void; ms: number }> = [];
  scheduleFrame = (run: () => void): void => {
    this.frames.push(run);
  };
  scheduleRetry = (run: () => void, ms: number): void => {
    this.retries.push({ run, ms });
  };
  /** Runs the frame callbacks requested so far; returns how many ran. */
  frame(): number {
    const due = this.frames;
    this.frames = [];
    for (const run of due) run();
    return due.length;
  }
  retry(): void {
    const due = this.retries;
    this.retries = [];
    for (const { run } of due) run();
  }
}

/** Lets promise callbacks (a settled sync) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
