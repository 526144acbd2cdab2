/**
 * Typed fetch helpers for the risk alert routes (风险预警) on the duty desk: the list, one alert with its cases, and
 * the acknowledge / close commands. Reads come back as `Loaded<T>`; commands as an `AlertCommandOutcome` whose failures
 * say what the desk shows: a conflict with the alert as it now is, field errors, or "try again" (network). Who acts
 * is the signed-in session.
 */
import type { CaseSummary } from '../../shared/api.js';
import type { AlertCommand, AlertPage, AlertRecord, AlertStatus, RiskRuleId } from '../../shared/risk.js';
import type { AlertLevel } from '../../shared/vocabulary.js';
import type { Loaded } from './api.js';
import { createTransport, failureOf, type Failure, type Outcome } from './api-transport.js';

export interface AlertFilter {
  status?: AlertStatus | 'open';
  level?: AlertLevel;
  rule?: RiskRuleId | 'external';
  streetCode?: string;
  communityCode?: string;
  limit?: number;
}

export interface AlertDetail {
  alert: AlertRecord;
  cases: CaseSummary[];
}

/** What POST /api/alerts/:id/commands answers on success (server/alert-commands.ts). */
export interface AlertCommandResult {
  alertId: string;
  version: number;
  status: AlertStatus;
  event: { seq: number; id: string; type: string };
  duplicate: boolean;
}

export type AlertCommandFailure = Failure<AlertRecord>;

/** A command without its id: the row that sends it owns that (kept until the server gives a definite answer). */
export type AlertCommandBody = AlertCommand extends infer C ? (C extends { commandId: string } ? Omit<C, 'commandId'> : never) : never;

export type AlertCommandOutcome = Outcome<AlertCommandResult, AlertRecord>;

/** The desk's alert list: open alerts with the district's counts per level, and (when asked) the recently closed. */
export interface AlertBoard {
  open: AlertRecord[];
  openByLevel: AlertPage['openByLevel'];
  closed: AlertRecord[] | null;
}

/** How many closed alerts the "recently closed" list shows. */
export const RECENTLY_CLOSED = 20;

/** Turns a non-2xx command answer into what the desk shows. */
export function alertCommandFailure(status: number, body: unknown): AlertCommandFailure {
  return failureOf(status, body, (raw) => (typeof (raw as AlertRecord).id === 'string' ? (raw as AlertRecord) : undefined));
}

export interface AlertsApiOptions {
  fetch?: typeof fetch;
}

export function createAlertsApi(options: AlertsApiOptions = {}) {
  const { read, command } = createTransport({ ...(options.fetch && { fetch: options.fetch }) });

  const list = (filter: AlertFilter = {}, signal?: AbortSignal) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(filter)) if (value !== undefined && value !== '') params.set(key, String(value));
    return read<AlertPage>(`/api/alerts${params.size ? `?${params}` : ''}`, signal);
  };

  return {
    list,
    detail: (alertId: string, signal?: AbortSignal) => read<AlertDetail>(`/api/alerts/${encodeURIComponent(alertId)}`, signal),

    /** Open alerts, and the recently closed ones when `withClosed`: one answer for the panel. */
    async board(withClosed: boolean, signal?: AbortSignal): Promise<Loaded<AlertBoard>> {
      const [open, closed] = await Promise.all([list({ status: 'open', limit: 200 }, signal), withClosed ? list({ status: 'closed', limit: RECENTLY_CLOSED }, signal) : null]);
      if (!open.ok) return open;
      if (closed && !closed.ok) return closed;
      return { ok: true, data: { open: open.data.alerts, openByLevel: open.data.openByLevel, closed: closed ? closed.data.alerts : null } };
    },

    /** Sends one command. Never throws: a lost connection is `network` (the caller retries with the same commandId). */
    command: (alertId: string, body: AlertCommand): Promise<AlertCommandOutcome> =>
      command<AlertCommandResult, AlertRecord>(`/api/alerts/${encodeURIComponent(alertId)}/commands`, body, alertCommandFailure),
  };
}

export type AlertsApi = ReturnType<typeof createAlertsApi>;
