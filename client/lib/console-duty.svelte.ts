/**
 * State of the duty console (值班台): the intake queue with its filters, the roll-call board, the selected case, and
 * the socket that says when to refetch them. Notices are throttled per resource (≤ 2 fetches a second), and every
 * reconnection refetches everything because notices are not replayed.
 */
import type { CaseDetail, QueueRow, QueueSort, WhistleRow } from '../../shared/api.js';
import type { CaseNotice } from '../../shared/socket.js';
import type { CaseStatus } from '../../shared/vocabulary.js';
import { ServerClock } from './clock.svelte.js';
import { loadCloseOut } from './console-closeout.js';
import { Resource } from './console-resource.svelte.js';
import { clockCorrector } from './console-setup.js';
import { connectConsole, type ConnectionStatus, type ConsoleConnection } from './console-socket.js';
import { createDispatchApi, type DispatchApi } from './dispatch-api.js';

/** The intake statuses, then the two close-out lists (待回访, 待归档). */
export const queueTabs = ['all', 'received', 'triaged', 'returned', 'reopened', 'followUp', 'archive'] as const;
export type QueueTab = (typeof queueTabs)[number];

export interface QueueFilterState {
  tab: QueueTab;
  streetCode: string;
  category: string;
  /** Oldest first by default: the cases waiting longest are the ones that matter most. */
  sort: QueueSort;
  /** The first row of the page shown, in that order. */
  offset: number;
}

/** One page of a queue list and how many cases the list holds in all. */
export interface QueueList {
  rows: QueueRow[];
  total: number;
  offset: number;
}

/** Rows per page of the intake queue. */
export const QUEUE_PAGE = 50;
/** How many of the newest new and of the newest returned cases the alarms look at. */
const WATCH_LIMIT = 100;

export interface DutyDeps {
  api?: DispatchApi;
  connect?: () => ConsoleConnection;
}

export class DutyConsole {
  readonly clock = new ServerClock();
  readonly api: DispatchApi;
  readonly queue: Resource<QueueList>;
  readonly board: Resource<WhistleRow[]>;
  /**
   * What the desk's alarms watch, whatever page, filter or order the queue shows: the newest new and returned cases
   * (a new 特急 case and a return awaiting a decision arrive there first).
   */
  readonly watch: Resource<QueueRow[]>;
  readonly detail: Resource<CaseDetail>;
  #filter = $state.raw<QueueFilterState>({ tab: 'all', streetCode: '', category: '', sort: 'oldest', offset: 0 });
  #selected = $state<string | null>(null);
  #status = $state.raw<ConnectionStatus>({ state: 'connecting', since: Date.now() });
  readonly #connect: () => ConsoleConnection;
  readonly #titles = new Map<string, string>();

  constructor(deps: DutyDeps = {}) {
    this.api = deps.api ?? createDispatchApi({ onServerDate: clockCorrector(this.clock) });
    this.#connect = deps.connect ?? (() => connectConsole());
    this.queue = new Resource(async (signal) => {
      const { tab, streetCode, category, sort, offset } = this.#filter;
      if (tab === 'followUp' || tab === 'archive') {
        const list = await loadCloseOut(this.api, tab, { streetCode, category }, this.#titles, signal);
        return list.ok ? { ok: true, data: { rows: list.data, total: list.data.length, offset: 0 } } : list;
      }
      const status: CaseStatus | undefined = tab === 'all' ? undefined : tab;
      const result = await this.api.queue({ status, streetCode, category, sort, limit: QUEUE_PAGE, offset }, signal);
      return result.ok ? { ok: true, data: { rows: result.data.items, total: result.data.total, offset: result.data.offset } } : result;
    });
    this.watch = new Resource(async (signal) => {
      const pages = await Promise.all((['received', 'returned'] as const).map((status) => this.api.queue({ status, sort: 'newest', limit: WATCH_LIMIT }, signal)));
      const failed = pages.find((p) => !p.ok);
      if (failed && !failed.ok) return failed;
      return { ok: true, data: pages.flatMap((p) => (p.ok ? p.data.items : [])) };
    });
    this.board = new Resource(async (signal) => {
      const result = await this.api.whistles(signal);
      return result.ok ? { ok: true, data: result.data.items } : result;
    });
    this.detail = new Resource(() => Promise.resolve({ ok: false, error: { kind: 'network' } }));
  }

  get filter(): QueueFilterState {
    return this.#filter;
  }

  get selected(): string | null {
    return this.#selected;
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  /** A new filter or order starts at the first page; a page change keeps the filter. */
  setFilter(change: Partial<QueueFilterState>): void {
    this.#filter = { ...this.#filter, offset: 0, ...change };
    void this.queue.reload();
  }

  select(caseId: string | null): void {
    if (caseId === this.#selected) return;
    this.#selected = caseId;
    if (caseId) void this.detail.replace((signal) => this.api.caseDetail(caseId, signal));
  }

  /** After this console's own command: show its effect at once rather than at the next notice. */
  async afterCommand(): Promise<void> {
    await Promise.all([this.queue.reload(), this.watch.reload(), this.board.reload(), this.#selected ? this.detail.reload() : undefined]);
  }

  notices(notices: readonly CaseNotice[]): void {
    if (notices.length === 0) return;
    this.queue.refresh();
    this.watch.refresh();
    if (notices.some((n) => n.whistleId || n.type === 'case.whistled' || n.type === 'case.resolved')) this.board.refresh();
    if (this.#selected && notices.some((n) => n.caseId === this.#selected)) this.detail.refresh();
  }

  start(): () => void {
    const stopClock = this.clock.start();
    const connection = this.#connect();
    let wasLive = false;
    const offStatus = connection.onStatus((status) => {
      this.#status = status;
      if (status.state !== 'live') return;
      // First connection: the initial loads below cover it. Later ones: notices may have been missed.
      if (wasLive) void this.afterCommand();
      wasLive = true;
    });
    const offNotices = connection.on('case:changed', (notices) => this.notices(notices));
    void this.queue.reload();
    void this.watch.reload();
    void this.board.reload();
    return () => {
      offNotices();
      offStatus();
      connection.close();
      stopClock();
      this.queue.dispose();
      this.watch.dispose();
      this.board.dispose();
      this.detail.dispose();
    };
  }
}
