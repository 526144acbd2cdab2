/**
 * State of the department console (部门工作台): which department this desk is (chosen in the view until sign-in
 * exists), its open parts, the selected case, and the new-whistle alert: a sound and a banner that stay until the
 * user acknowledges the whistle or reports in. A whistle is alerted once, whether its notice arrived live or it was
 * found by the refetch after a reconnection.
 */
import type { CaseDetail, DeptWhistleRow } from '../../shared/api.js';
import type { CaseNotice } from '../../shared/socket.js';
import type { Urgency } from '../../shared/vocabulary.js';
import { newWhistlesFor } from './console-actions.js';
import { ServerClock } from './clock.svelte.js';
import { Resource } from './console-resource.svelte.js';
import { clockCorrector } from './console-setup.js';
import { connectConsole, type ConnectionStatus, type ConsoleAuth, type ConsoleConnection } from './console-socket.js';
import type { Loaded } from './api.js';
import { createDispatchApi, type DispatchApi } from './dispatch-api.js';
import { AlertSound, type SoundState } from './sound.js';

export const DEPT_STORAGE_KEY = 'sygl.dept';
/** While an alert is unacknowledged, the sound repeats this often: the desk may have been away. */
export const REMIND_MS = 60_000;

export interface DeptAlert {
  whistleId: string;
  caseId: string;
  urgency: Urgency;
}

export interface DeptDeps {
  api?: (deptId: string) => DispatchApi;
  connect?: (auth: ConsoleAuth) => ConsoleConnection;
  sound?: () => Pick<AlertSound, 'play' | 'unlock' | 'onState' | 'close'>;
}

/** `#/dept?d=<deptId>`: a shortcut that only picks the department (headers and handshake), nothing else. */
export function deptFromHash(hash: string): string | null {
  const query = hash.split('?')[1];
  return query ? new URLSearchParams(query).get('d') : null;
}

export function storedDept(): string | null {
  try {
    return globalThis.localStorage?.getItem(DEPT_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

export class DeptConsole {
  readonly clock = new ServerClock();
  readonly parts: Resource<DeptWhistleRow[]>;
  readonly detail: Resource<CaseDetail>;
  #deptId = $state<string | null>(null);
  #api = $state.raw<DispatchApi | null>(null);
  #selected = $state<string | null>(null);
  #alerts = $state.raw<DeptAlert[]>([]);
  #status = $state.raw<ConnectionStatus>({ state: 'connecting', since: Date.now() });
  #sound = $state<SoundState>('unavailable');
  /** Whistles already seen or alerted for the current department. */
  #known = new Set<string>();
  /** The department's first list has arrived: what it holds was there before this desk looked, so it is not new. */
  #primed = false;
  #connection: ConsoleConnection | null = null;
  #player: ReturnType<NonNullable<DeptDeps['sound']>> | null = null;
  readonly #deps: DeptDeps;

  /** Alerts still owed: not acknowledged, and the part is still waiting for its report-in. */
  readonly alerts = $derived.by(() => {
    const rows = this.parts.data;
    if (!rows) return this.#alerts;
    return this.#alerts.filter((a) => rows.some((r) => r.whistle.whistleId === a.whistleId && r.assignment.status === 'pending'));
  });

  constructor(deps: DeptDeps = {}) {
    this.#deps = deps;
    this.parts = new Resource((signal) => this.#loadParts(signal), { onData: (rows) => this.#found(rows) });
    this.detail = new Resource(() => Promise.resolve({ ok: false, error: { kind: 'network' } }));
  }

  get deptId(): string | null {
    return this.#deptId;
  }
  get api(): DispatchApi | null {
    return this.#api;
  }
  get selected(): string | null {
    return this.#selected;
  }
  get status(): ConnectionStatus {
    return this.#status;
  }
  get sound(): SoundState {
    return this.#sound;
  }

  isAlerted(whistleId: string): boolean {
    return this.alerts.some((a) => a.whistleId === whistleId);
  }

  /** Switch this desk to a department (or none): new headers, a new room, a fresh list, no old alerts. */
  setDept(deptId: string | null): void {
    if (deptId === this.#deptId) return;
    this.#deptId = deptId;
    try {
      if (deptId) globalThis.localStorage?.setItem(DEPT_STORAGE_KEY, deptId);
    } catch {
      // A locked-down browser: the choice holds for this session.
    }
    this.#connection?.close();
    this.#connection = null;
    this.#alerts = [];
    this.#known = new Set();
    this.#primed = false;
    this.#selected = null;
    this.#api = deptId ? (this.#deps.api ?? ((id) => createDispatchApi({ role: 'dept', deptId: id }, { onServerDate: clockCorrector(this.clock) })))(deptId) : null;
    if (!deptId) return;
    void this.parts.replace((signal) => this.#loadParts(signal));
    this.#listen(deptId);
  }

  select(caseId: string | null): void {
    if (caseId === this.#selected) return;
    this.#selected = caseId;
    const api = this.#api;
    if (caseId && api) void this.detail.replace((signal) => api.caseDetail(caseId, signal));
  }

  acknowledge(whistleId: string): void {
    this.#alerts = this.#alerts.filter((a) => a.whistleId !== whistleId);
  }

  unlockSound(): void {
    void this.#player?.unlock();
  }

  async afterCommand(): Promise<void> {
    await Promise.all([this.parts.reload(), this.#selected ? this.detail.reload() : undefined]);
  }

  start(initialDept: string | null): () => void {
    const stopClock = this.clock.start();
    this.#player = (this.#deps.sound ?? (() => new AlertSound()))();
    const offSound = this.#player.onState((state) => (this.#sound = state));
    const reminder = setInterval(() => {
      if (this.alerts.length) this.#player?.play(this.alerts.some((a) => a.urgency === 'critical') ? 'critical' : 'whistle');
    }, REMIND_MS);
    this.setDept(initialDept);
    return () => {
      clearInterval(reminder);
      offSound();
      this.#player?.close();
      this.#connection?.close();
      stopClock();
      this.parts.dispose();
      this.detail.dispose();
    };
  }

  async #loadParts(signal: AbortSignal): Promise<Loaded<DeptWhistleRow[]>> {
    const api = this.#api;
    if (!api || api.actor.role !== 'dept') return { ok: false, error: { kind: 'network' } };
    const result = await api.deptWhistles(api.actor.deptId, signal);
    return result.ok ? { ok: true, data: result.data.items } : result;
  }

  #listen(deptId: string): void {
    const connection = (this.#deps.connect ?? connectConsole)({ view: 'dept', deptId });
    this.#connection = connection;
    let wasLive = false;
    connection.onStatus((status) => {
      this.#status = status;
      if (status.state === 'live' && wasLive) void this.afterCommand();
      if (status.state === 'live') wasLive = true;
    });
    connection.on('case:changed', (notices) => this.#notices(deptId, notices));
  }

  #notices(deptId: string, notices: readonly CaseNotice[]): void {
    if (deptId !== this.#deptId || notices.length === 0) return;
    for (const n of newWhistlesFor(notices, deptId)) this.#alert({ whistleId: n.whistleId!, caseId: n.caseId, urgency: n.urgency ?? 'normal' });
    this.parts.refresh();
    if (this.#selected && notices.some((n) => n.caseId === this.#selected)) this.detail.refresh();
  }

  /** A refetched list: whistles it has not seen before (missed while offline) are alerted too. */
  #found(rows: readonly DeptWhistleRow[]): void {
    if (!this.#primed) {
      this.#primed = true;
      for (const r of rows) this.#known.add(r.whistle.whistleId);
      return;
    }
    for (const r of rows) {
      if (r.assignment.status === 'pending') this.#alert({ whistleId: r.whistle.whistleId, caseId: r.case.id, urgency: r.whistle.urgency });
    }
  }

  #alert(alert: DeptAlert): void {
    if (this.#known.has(alert.whistleId)) return;
    this.#known.add(alert.whistleId);
    this.#alerts = [alert, ...this.#alerts];
    this.#player?.play(alert.urgency === 'critical' ? 'critical' : 'whistle');
  }
}
