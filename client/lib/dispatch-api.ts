/**
 * Typed fetch helpers for the dispatch routes (吹哨报到), used by the duty and department consoles. Reads come back as
 * `Loaded<T>` like client/lib/api.ts; commands come back as a `CommandOutcome` whose failures say what the console must
 * show: a conflict with the case's current state, field errors by path, or "try again" (network).
 *
 * Who is acting is the signed-in session (its cookie goes with every request): the server takes the role and the
 * department from it, so nothing here names them.
 */
import type { CaseDetail, CasePage, CaseSummary, DeptWhistleRow, DispatchSuggestion, QueuePage, QueueSort, WhistleRow } from '../../shared/api.js';
import type { CommandInput, CommandResult } from '../../shared/dispatch.js';
import type { CaseStatus } from '../../shared/vocabulary.js';
import { createTransport, failureOf, type Failure, type Outcome } from './api-transport.js';

export type CommandFailure = Failure<CaseSummary>;
export type CommandOutcome = Outcome<CommandResult, CaseSummary>;

export interface QueueFilter {
  status?: CaseStatus;
  streetCode?: string;
  category?: string;
  sort?: QueueSort;
  limit?: number;
  offset?: number;
}

export interface DispatchApiOptions {
  /** The server's `Date` header of each answer and the local time it arrived: lets a console correct its clock. */
  onServerDate?: (serverMs: number, receivedAt: number) => void;
  fetch?: typeof fetch;
}

/** What unmasking a case needs: a reason, kept in the audit log with who asked. */
export type UnmaskFailure = Failure<never>;
export type UnmaskOutcome = Outcome<CaseDetail, never>;

/** Turns a non-2xx command answer into what the console shows. */
export function commandFailure(status: number, body: unknown): CommandFailure {
  return failureOf(status, body, (raw) => raw as CaseSummary);
}

export function createDispatchApi(options: DispatchApiOptions = {}) {
  const { read, command } = createTransport({
    ...(options.fetch && { fetch: options.fetch }),
    ...(options.onServerDate && { onServerDate: options.onServerDate }),
  });

  const id = encodeURIComponent;

  return {
    queue(filter: QueueFilter = {}, signal?: AbortSignal) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(filter)) if (value !== undefined && value !== '') params.set(key, String(value));
      const query = params.size ? `?${params}` : '';
      return read<QueuePage>(`/api/queue${query}`, signal);
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

    /** The case with its parties, title and description in full (duty and leader); the server audits it with the reason. */
    unmask: (caseId: string, reason: string): Promise<UnmaskOutcome> =>
      command<CaseDetail, never>(`/api/cases/${id(caseId)}/unmask`, { reason }, (status, body) => failureOf<never>(status, body, () => undefined)),

    /** Sends one command. Never throws: a lost connection is `network` (the caller retries with the same commandId). */
    command: (caseId: string, body: CommandInput): Promise<CommandOutcome> => command<CommandResult, CaseSummary>(`/api/cases/${id(caseId)}/commands`, body, commandFailure),
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
