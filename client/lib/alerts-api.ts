/**
 * Typed fetch helpers for the risk alert routes (风险预警) on the duty desk: the list, one alert with its cases, and
 * the acknowledge / close commands. Reads come back as `Loaded<T>`; commands as an `AlertCommandOutcome` whose failures
 * say what the desk shows: a conflict with the alert as it now is, field errors, or "try again" (network). Who acts
 * travels in the same provisional headers as the dispatch commands (`actorHeaders`).
 */
import type { CaseSummary } from '../../shared/api.js';
import type { FieldError } from '../../shared/intake.js';
import type { AlertCommand, AlertPage, AlertRecord, AlertStatus, RiskRuleId } from '../../shared/risk.js';
import type { AlertLevel } from '../../shared/vocabulary.js';
import type { ApiFailure, Loaded } from './api.js';
import { actorHeaders, type ConsoleActor } from './dispatch-api.js';

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

export type AlertCommandFailure =
  | { kind: 'network' }
  | { kind: 'parse'; status: number }
  | { kind: 'conflict'; code: 'version_conflict' | 'invalid_transition' | string; message: string; current?: AlertRecord }
  | { kind: 'invalid'; message: string; details: FieldError[] }
  | { kind: 'http'; status: number; code?: string; message?: string };

/** A command without its id: the row that sends it owns that (kept until the server gives a definite answer). */
export type AlertCommandBody = AlertCommand extends infer C ? (C extends { commandId: string } ? Omit<C, 'commandId'> : never) : never;

export type AlertCommandOutcome = { ok: true; result: AlertCommandResult } | { ok: false; error: AlertCommandFailure };

/** The desk's alert list: open alerts with the district's counts per level, and (when asked) the recently closed. */
export interface AlertBoard {
  open: AlertRecord[];
  openByLevel: AlertPage['openByLevel'];
  closed: AlertRecord[] | null;
}

/** How many closed alerts the "recently closed" list shows. */
export const RECENTLY_CLOSED = 20;

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: unknown; current?: unknown };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Turns a non-2xx command answer into what the desk shows. */
export function alertCommandFailure(status: number, body: unknown): AlertCommandFailure {
  const error = (body as ErrorBody | null)?.error;
  const code = text(error?.code);
  const message = text(error?.message) ?? '';
  if (status === 409) {
    const current = error?.current && typeof (error.current as AlertRecord).id === 'string' ? (error.current as AlertRecord) : undefined;
    return { kind: 'conflict', code: code ?? 'conflict', message, ...(current && { current }) };
  }
  if (status === 400 && Array.isArray(error?.details)) {
    const details = (error.details as unknown[]).filter((d): d is FieldError => typeof (d as FieldError)?.path === 'string' && typeof (d as FieldError)?.message === 'string');
    return { kind: 'invalid', message, details };
  }
  return { kind: 'http', status, ...(code && { code }), ...(message && { message }) };
}

export interface AlertsApiOptions {
  fetch?: typeof fetch;
  name?: string;
}

export function createAlertsApi(actor: ConsoleActor, options: AlertsApiOptions = {}) {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const headers = { accept: 'application/json', ...actorHeaders(actor, options.name) };

  const send = async (path: string, init: RequestInit): Promise<{ response: Response; body: unknown; parsed: boolean }> => {
    const response = await doFetch(path, { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } });
    try {
      return { response, body: await response.json(), parsed: true };
    } catch {
      return { response, body: undefined, parsed: false };
    }
  };

  const read = async <T>(path: string, signal?: AbortSignal): Promise<Loaded<T>> => {
    let answer: Awaited<ReturnType<typeof send>>;
    try {
      answer = await send(path, { signal });
    } catch (error) {
      if (signal?.aborted) throw error;
      return { ok: false, error: { kind: 'network' } };
    }
    const { response, body, parsed } = answer;
    if (!response.ok) {
      const failure: ApiFailure = { kind: 'http', status: response.status, ...(parsed && { message: text((body as ErrorBody | null)?.error?.message) }) };
      return { ok: false, error: failure };
    }
    return parsed ? { ok: true, data: body as T } : { ok: false, error: { kind: 'parse' } };
  };

  const list = (filter: AlertFilter = {}, signal?: AbortSignal) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(filter)) if (value !== undefined && value !== '') params.set(key, String(value));
    return read<AlertPage>(`/api/alerts${params.size ? `?${params}` : ''}`, signal);
  };

  return {
    actor,
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
    async command(alertId: string, command: AlertCommand): Promise<AlertCommandOutcome> {
      let answer: Awaited<ReturnType<typeof send>>;
      try {
        answer = await send(`/api/alerts/${encodeURIComponent(alertId)}/commands`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(command) });
      } catch {
        return { ok: false, error: { kind: 'network' } };
      }
      const { response, body, parsed } = answer;
      if (response.ok) return parsed ? { ok: true, result: body as AlertCommandResult } : { ok: false, error: { kind: 'parse', status: response.status } };
      return { ok: false, error: alertCommandFailure(response.status, body) };
    },
  };
}

export type AlertsApi = ReturnType<typeof createAlertsApi>;
