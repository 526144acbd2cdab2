/**
 * Typed fetch helpers for the dispatch routes (吹哨报到), used by the duty and department consoles. Reads come back as
 * `Loaded<T>` like client/lib/api.ts; commands come back as a `CommandOutcome` whose failures say what the console must
 * show: a conflict with the case's current state, field errors by path, or "try again" (network).
 *
 * Who is acting travels in PROVISIONAL headers until sign-in exists (server/api/actor.ts): this module is the only
 * client code that sets them, so sessions replace them here.
 */
import type { CaseDetail, CasePage, CaseSummary, DeptWhistleRow, DispatchSuggestion, QueueRow, WhistleRow } from '../../shared/api.js';
import type { CommandInput, CommandResult } from '../../shared/dispatch.js';
import type { FieldError } from '../../shared/intake.js';
import type { CaseStatus } from '../../shared/vocabulary.js';
import type { ApiFailure, Loaded } from './api.js';

export type ConsoleActor = { role: 'duty' } | { role: 'leader' } | { role: 'dept'; deptId: string };

export type CommandFailure =
  | { kind: 'network' }
  | { kind: 'parse'; status: number }
  | { kind: 'conflict'; code: string; message: string; current?: CaseSummary }
  | { kind: 'invalid'; message: string; details: FieldError[] }
  | { kind: 'http'; status: number; code?: string; message?: string };

export type CommandOutcome = { ok: true; result: CommandResult } | { ok: false; error: CommandFailure };

export interface QueueFilter {
  status?: CaseStatus;
  streetCode?: string;
  category?: string;
  limit?: number;
}

export interface DispatchApiOptions {
  /** The server's `Date` header of each answer and the local time it arrived: lets a console correct its clock. */
  onServerDate?: (serverMs: number, receivedAt: number) => void;
  fetch?: typeof fetch;
  /** Shown in the timeline as who acted (optional until sign-in). */
  name?: string;
}

export function actorHeaders(actor: ConsoleActor, name?: string): Record<string, string> {
  const headers: Record<string, string> = { 'x-actor-role': actor.role };
  if (actor.role === 'dept') headers['x-actor-dept'] = actor.deptId;
  if (name) headers['x-actor-name'] = encodeURIComponent(name);
  return headers;
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: unknown; current?: unknown };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Turns a non-2xx command answer into what the console shows. */
export function commandFailure(status: number, body: unknown): CommandFailure {
  const error = (body as ErrorBody | null)?.error;
  const code = text(error?.code);
  const message = text(error?.message) ?? '';
  if (status === 409) return { kind: 'conflict', code: code ?? 'conflict', message, ...(error?.current ? { current: error.current as CaseSummary } : {}) };
  if (status === 400 && Array.isArray(error?.details)) {
    const details = (error.details as unknown[]).filter((d): d is FieldError => typeof (d as FieldError)?.path === 'string' && typeof (d as FieldError)?.message === 'string');
    return { kind: 'invalid', message, details };
  }
  return { kind: 'http', status, ...(code && { code }), ...(message && { message }) };
}

export function createDispatchApi(actor: ConsoleActor, options: DispatchApiOptions = {}) {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const headers = { accept: 'application/json', ...actorHeaders(actor, options.name) };

  const send = async (path: string, init: RequestInit): Promise<{ response: Response; body: unknown; parsed: boolean }> => {
    const response = await doFetch(path, { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } });
    const date = Date.parse(response.headers.get('date') ?? '');
    if (Number.isFinite(date)) options.onServerDate?.(date, Date.now());
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

  const id = encodeURIComponent;

  return {
    actor,
    queue(filter: QueueFilter = {}, signal?: AbortSignal) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(filter)) if (value !== undefined && value !== '') params.set(key, String(value));
      const query = params.size ? `?${params}` : '';
      return read<{ items: QueueRow[] }>(`/api/queue${query}`, signal);
    },
    /** The read API's case list (summaries without titles): the consoles use it for statuses the queue leaves out. */
    cases(filter: Omit<QueueFilter, 'status'> & { status: CaseStatus }, signal?: AbortSignal) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(filter)) if (value !== undefined && value !== '') params.set(key, String(value));
      return read<CasePage>(`/api/cases?${params}`, signal);
    },
    caseDetail: (caseId: string, signal?: AbortSignal) => read<CaseDetail>(`/api/cases/${id(caseId)}`, signal),
    suggestions: (caseId: string, signal?: AbortSignal) => read<DispatchSuggestion>(`/api/cases/${id(caseId)}/suggestions`, signal),
    whistles: (signal?: AbortSignal) => read<{ items: WhistleRow[] }>('/api/whistles', signal),
    deptWhistles: (deptId: string, signal?: AbortSignal) => read<{ items: DeptWhistleRow[] }>(`/api/departments/${id(deptId)}/whistles`, signal),

    /** Sends one command. Never throws: a lost connection is `network` (the caller retries with the same commandId). */
    async command(caseId: string, command: CommandInput): Promise<CommandOutcome> {
      let answer: Awaited<ReturnType<typeof send>>;
      try {
        answer = await send(`/api/cases/${id(caseId)}/commands`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(command) });
      } catch {
        return { ok: false, error: { kind: 'network' } };
      }
      const { response, body, parsed } = answer;
      if (response.ok) return parsed ? { ok: true, result: body as CommandResult } : { ok: false, error: { kind: 'parse', status: response.status } };
      return { ok: false, error: commandFailure(response.status, body) };
    },
  };
}

export type DispatchApi = ReturnType<typeof createDispatchApi>;

/**
 * A command id (8–64 of [A-Za-z0-9_-]). Not crypto.randomUUID: that exists only in secure contexts, and the consoles
 * may be served over plain http on the intranet; getRandomValues works everywhere.
 */
export function newCommandId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
