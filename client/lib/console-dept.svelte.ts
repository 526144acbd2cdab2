/**
 * State of the department console (部门工作台): the signed-in department's open parts (the department is the
 * session's: the server scopes every answer and the socket room to it), the selected case, and the new-whistle alert:
 * a sound and a banner that stay until the user acknowledges the whistle or reports in. A whistle is alerted once,
 * whether its notice arrived live or it was found by the refetch after a reconnection.
 */
import type { CaseDetail, DeptWhistleRow } from '../../shared/api.js';
import type { CaseNotice } from '../../shared/socket.js';
import type { Urgency } from '../../shared/vocabulary.js';
import { newWhistlesFor } from './console-actions.js';
import { ServerClock } from './clock.svelte.js';
import { Resource } from './console-resource.svelte.js';
import { clockCorrector } from './console-setup.js';
import { connectConsole, type ConnectionStatus, type ConsoleConnection } from './console-socket.js';
import type { Loaded } from './api.js';
import { createDispatchApi, type DispatchApi } from './dispatch-api.js';
import { AlertSound, type SoundState } from './sound.js';

/** While an alert is unacknowledged, the sound repeats this often: the desk may have been away. */
export const REMIND_MS = 60_000;

export interface DeptAlert {
  whistleId: string;
  caseId: string;
  urgency: Urgency;
}

export interface DeptDeps {
  api?: DispatchApi;
  connect?: () => ConsoleConnection;
  sound?: () => Pick<AlertSound, 'play' | 'unlock' | 'onState' | 'close'>;
}

export class DeptConsole {
  readonly clock = new ServerClock();
  readonly parts: Resource<DeptWhistleRow[]>;
  readonly detail: Resource<CaseDetail>;
  readonly api: DispatchApi;
  #deptId = $state<string | null>(null);
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
    this.api = deps.api ?? createDispatchApi({ onServerDate: clockCorrector(this.clock) });
    this.parts = new Resource((signal) => this.#loadParts(signal), { onData: (rows) => this.#found(rows) });
    this.detail = new Resource(() => Promise.resolve({ ok: false, error: { kind: 'network' } }));
  }

  get deptId(): string | null {
    return this.#deptId;
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

  select(caseId: string | null): void {
    if (caseId === this.#selected) return;
    this.#selected = caseId;
    if (caseId) void this.detail.replace((signal) => this.api.caseDetail(caseId, signal));
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

  /** Runs the desk of the signed-in department until the returned stop is called. */
  start(deptId: string): () => void {
    const stopClock = this.clock.start();
    this.#player = (this.#deps.sound ?? (() => new AlertSound()))();
    const offSound = this.#player.onState((state) => (this.#sound = state));
    const reminder = setInterval(() => {
      if (this.alerts.length) this.#player?.play(this.alerts.some((a) => a.urgency === 'critical') ? 'critical' : 'whistle');
    }, REMIND_MS);
    this.#deptId = deptId;
    void this.parts.reload();
    this.#listen(deptId);
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
    const deptId = this.#deptId;
    if (!deptId) return { ok: false, error: { kind: 'network' } };
    const result = await this.api.deptWhistles(deptId, signal);
    return result.ok ? { ok: true, data: result.data.items } : result;
  }

  #listen(deptId: string): void {
    const connection = (this.#deps.connect ?? (() => connectConsole()))();
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
