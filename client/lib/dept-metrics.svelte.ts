/**
 * The rows of the sortable department table (components/board/DeptTable.svelte) for the leader view and the duty
 * desk: GET /api/metrics by department over the last `days` days, refreshed every minute while it is shown.
 */
import type { MetricsResponse, MetricsRow } from '../../shared/api.js';
import { getJson, toLoadable, type Loadable } from './api.js';

export const DEPT_TABLE_DAYS = 30;
const REFRESH_MS = 60_000;

export class DeptMetrics {
  rows = $state<Loadable<readonly MetricsRow[]>>({ status: 'loading' });
  /** Days the figures really cover (the range, or fewer when the data begins later). */
  coveredDays = $state(DEPT_TABLE_DAYS);
  #timer: ReturnType<typeof setInterval> | undefined;
  #abort: AbortController | undefined;

  constructor(readonly days = DEPT_TABLE_DAYS) {}

  async load(): Promise<void> {
    this.#abort?.abort();
    const abort = (this.#abort = new AbortController());
    const to = Date.now();
    const from = new Date(to - this.days * 86_400_000).toISOString();
    try {
      const result = await getJson<MetricsResponse>(`/api/metrics?groupBy=department&from=${encodeURIComponent(from)}&to=${encodeURIComponent(new Date(to).toISOString())}`, abort.signal);
      // A refresh that fails keeps the rows shown; only a first load shows the error.
      if (result.ok || this.rows.status !== 'ready') this.rows = toLoadable(result.ok ? { ok: true, data: result.data.rows } : result);
      if (result.ok) this.coveredDays = result.data.dataFrom ? Math.max(1, Math.ceil((to - Date.parse(result.data.dataFrom)) / 86_400_000)) : this.days;
    } catch {
      // Aborted by a newer load or by stop().
    }
  }

  start(): void {
    void this.load();
    this.#timer ??= setInterval(() => void this.load(), REFRESH_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#abort?.abort();
  }
}
