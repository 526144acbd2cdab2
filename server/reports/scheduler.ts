/**
 * Reports on a schedule (issue 8): every few minutes the node holding the lease (lease.ts) archives the reports whose
 * period has ended and that the archive does not hold yet — the district's daily report of each finished day, its
 * weekly report (Monday to Sunday), its monthly report and each street's monthly report. It looks back at most 7
 * days, 4 weeks and 3 months, and never before the log's first event (nor the first case's reportedAt, for a log
 * that was filled with older cases): a node that was down catches up within that window, a new log gets no empty
 * reports of the time before it. A report is frozen as computed at that run (archive.ts); the archive keeps the first
 * of any two runs that raced for the same id.
 */
import type { ReportData, ReportKind, ReportPeriod } from '../../shared/reports.js';
import { DAY_MS } from '../../shared/time.js';
import type { CaseRecord } from '../domain/case-index.js';
import type { DistrictData } from '../district-data.js';
import type { Lease } from '../lease.js';
import type { Logger } from '../log.js';
import type { EventStore } from '../store/event-store.js';
import type { AlertRecord } from '../../shared/risk.js';
import { archiveId, type ReportArchive } from './archive.js';
import { computeReport, type ReportSources } from './compute.js';
import { localDateOf, resolvePeriod } from './period.js';

/** What reports read from the projections (Projections has it all). */
export interface ReportProjections {
  cases: { records(): Iterable<CaseRecord> };
  risk: { alerts: { list(filter: Record<string, never>): AlertRecord[] } } | null;
  readonly seq: number;
  settings: { tzOffsetMinutes: number };
}

export function reportSourcesOf(projections: ReportProjections, district: DistrictData): ReportSources {
  return {
    cases: projections.cases.records(),
    alerts: projections.risk?.alerts.list({}) ?? [],
    seq: projections.seq,
    district,
    tzOffsetMinutes: projections.settings.tzOffsetMinutes,
  };
}

export const REPORT_SWEEP_MS = 5 * 60_000;
/**
 * A period is archived this long after it ends, not at once: what integrations deliver late for its last minutes (a
 * hotline batch, a retry) is in its archived report.
 */
export const ARCHIVE_GRACE_MS = 30 * 60_000;
/** How far back a run looks for reports not archived yet. */
export const LOOK_BACK = { days: 7, weeks: 4, months: 3 } as const;

export interface ScheduledReport {
  id: string;
  kind: ReportKind;
  street?: string;
  period: ReportPeriod;
  previous: ReportPeriod;
}

const shiftDate = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

function shiftMonth(date: string, months: number): string {
  const d = new Date(`${date.slice(0, 7)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

/**
 * The reports due at `now`: every period in the look-back window that ended at least ARCHIVE_GRACE_MS ago and ends after `since`
 * (the log's beginning), oldest first. Whether the archive holds them already is the caller's question.
 */
export function dueReports(now: number, since: number, tzOffsetMinutes: number, district: Pick<DistrictData, 'info'>): ScheduledReport[] {
  const today = localDateOf(now, tzOffsetMinutes);
  const due: ScheduledReport[] = [];
  const add = (kind: ReportKind, date: string, streets: readonly string[]) => {
    const { period, previous } = resolvePeriod({ kind, date }, now, tzOffsetMinutes);
    if (period.endMs + ARCHIVE_GRACE_MS > now || period.endMs <= since) return;
    for (const street of streets) {
      const code = street || district.info.code;
      due.push({ id: archiveId(kind, code, period.from), kind, ...(street && { street }), period, previous });
    }
  };
  const districtOnly = [''];
  for (let i = LOOK_BACK.months; i >= 1; i--) add('monthly', shiftMonth(today, -i), [...districtOnly, ...district.info.streets.map((s) => s.code)]);
  for (let i = LOOK_BACK.weeks; i >= 1; i--) add('weekly', shiftDate(today, -7 * i), districtOnly);
  for (let i = LOOK_BACK.days; i >= 1; i--) add('daily', shiftDate(today, -i), districtOnly);
  return due.sort((a, b) => a.period.endMs - b.period.endMs || a.period.startMs - b.period.startMs);
}

export interface ReportSchedulerDeps {
  archive: ReportArchive;
  projections: ReportProjections;
  district: DistrictData;
  /** Where the log's first event is read from. */
  store: Pick<EventStore, 'readAfter'>;
  lease: Pick<Lease, 'hold'>;
  clock: () => number;
  log: Logger;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class ReportScheduler {
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<string[]> | undefined;
  /** When the log began (its first event's time), once known: it never changes. */
  #firstEventAt: number | undefined;
  #stopped = false;

  constructor(
    private readonly deps: ReportSchedulerDeps,
    private readonly options: { everyMs: number } = { everyMs: REPORT_SWEEP_MS },
  ) {}

  start(): void {
    this.#stopped = false;
    this.#timer ??= setInterval(() => void this.run(), this.options.everyMs);
    this.#timer.unref();
    void this.run();
  }

  /** Archives what is due now; resolves with the ids it archived. Overlapping calls share one run; never rejects. */
  run(): Promise<string[]> {
    this.#running ??= this.#run().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #since(): Promise<number | undefined> {
    if (this.#firstEventAt === undefined) {
      const [first] = await this.deps.store.readAfter(0, 1);
      if (!first) return undefined;
      this.#firstEventAt = Date.parse(first.at);
    }
    // Cases brought in with an older reportedAt (a migration, the demo's backfill) move the beginning back.
    let since = this.#firstEventAt;
    for (const record of this.deps.projections.cases.records()) {
      const at = Date.parse(record.reportedAt);
      if (at < since) since = at;
    }
    return since;
  }

  async #run(): Promise<string[]> {
    const archived: string[] = [];
    try {
      if (!(await this.deps.lease.hold())) return archived;
      const since = await this.#since();
      if (since === undefined) return archived;
      const { projections, district, archive, clock } = this.deps;
      const tz = projections.settings.tzOffsetMinutes;
      for (const due of dueReports(clock(), since, tz, district)) {
        if (this.#stopped) break;
        if (await archive.has(due.id)) continue;
        const report: ReportData = computeReport(
          reportSourcesOf(projections, district),
          { kind: due.kind, ...(due.street && { street: due.street }), period: due.period, previous: due.previous },
          clock(),
        );
        if (await archive.put(report)) archived.push(due.id);
        // A first run may compute dozens of reports over a large log: let requests in between.
        await nextTurn();
      }
      if (archived.length) this.deps.log.info({ reports: archived.length, ids: archived.slice(0, 20), seq: projections.seq }, 'reports archived');
    } catch (error) {
      this.deps.log.warn({ err: error, archived: archived.length }, 'could not archive the reports due; trying again later');
    }
    return archived;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
