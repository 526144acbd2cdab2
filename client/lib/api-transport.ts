/**
 * The consoles' JSON transport: fetch with the session cookie (same origin, so the browser sends it), reads as
 * `Loaded<T>`, commands as outcomes whose failures say what to show (conflict with the current state, field errors,
 * network). Shared by the dispatch, alerts and admin APIs, which differ only in their routes and in what `current`
 * holds. A 401 tells the session store that the session has ended.
 */
import type { FieldError } from '../../shared/intake.js';
import type { ApiFailure, Loaded } from './api.js';
import { serverErrorOf } from './error-text.js';
import { sessionEnded } from './session-signal.js';

export type Failure<C> =
  | { kind: 'network' }
  | { kind: 'parse'; status: number }
  | { kind: 'conflict'; code: string; message: string; current?: C; params?: Record<string, string | number> }
  | { kind: 'invalid'; message: string; details: FieldError[]; code?: string }
  | { kind: 'http'; status: number; code?: string; message?: string; params?: Record<string, string | number>; details?: FieldError[] };

export type Outcome<R, C> = { ok: true; result: R } | { ok: false; error: Failure<C> };

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: unknown; current?: unknown };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Turns a non-2xx command answer into what a console shows; `current` vets the state a 409 carries. */
export function failureOf<C>(status: number, body: unknown, current: (raw: unknown) => C | undefined): Failure<C> {
  const error = (body as ErrorBody | null)?.error;
  const code = text(error?.code);
  const message = text(error?.message) ?? '';
  const { params, details } = serverErrorOf(body);
  if (status === 409) {
    const now = error?.current ? current(error.current) : undefined;
    return { kind: 'conflict', code: code ?? 'conflict', message, ...(now !== undefined && { current: now }), ...(params && { params }) };
  }
  if (status === 400 && Array.isArray(error?.details)) {
    return { kind: 'invalid', message, details: details ?? [], ...(code && { code }) };
  }
  return { kind: 'http', status, ...(code && { code }), ...(message && { message }), ...(params && { params }), ...(details?.length && { details }) };
}

export interface TransportOptions {
  fetch?: typeof fetch;
  headers?: Record<string, string>;
  /** Called on every 401 (default: the session store's `sessionEnded`). */
  onUnauthenticated?: () => void;
  /** The server's `Date` header of each answer and the local time it arrived. */
  onServerDate?: (serverMs: number, receivedAt: number) => void;
}

export function createTransport(options: TransportOptions) {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const headers = { accept: 'application/json', ...options.headers };

  const send = async (path: string, init: RequestInit): Promise<{ response: Response; body: unknown; parsed: boolean }> => {
    const response = await doFetch(path, { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } });
    if (response.status === 401) (options.onUnauthenticated ?? sessionEnded)();
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
      const failure: ApiFailure = { kind: 'http', status: response.status, ...(parsed && serverErrorOf(body)) };
      return { ok: false, error: failure };
    }
    return parsed ? { ok: true, data: body as T } : { ok: false, error: { kind: 'parse' } };
  };

  /** Posts (or patches) one command. Never throws: a lost connection is `network` (the caller retries with the same commandId). */
  const command = async <R, C>(path: string, payload: unknown, failure: (status: number, body: unknown) => Failure<C>, method: 'POST' | 'PATCH' = 'POST'): Promise<Outcome<R, C>> => {
    let answer: Awaited<ReturnType<typeof send>>;
    try {
      answer = await send(path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
    } catch {
      return { ok: false, error: { kind: 'network' } };
    }
    const { response, body, parsed } = answer;
    if (response.ok) return parsed ? { ok: true, result: body as R } : { ok: false, error: { kind: 'parse', status: response.status } };
    return { ok: false, error: failure(response.status, body) };
  };

  return { read, command };
}

/** The message of an error body `{ error: { message, details } }`, with the details' paths, or undefined. */
export function errorMessage(body: unknown): string | undefined {
  const error = (body as { error?: { message?: unknown; details?: unknown } } | null)?.error;
  if (typeof error?.message !== 'string') return undefined;
  const details = Array.isArray(error.details)
    ? (error.details as Array<{ path?: unknown; message?: unknown }>)
        .filter((d) => typeof d?.message === 'string')
        .map((d) => (typeof d.path === 'string' && d.path ? `${d.path}: ${d.message}` : String(d.message)))
    : [];
  return details.length ? `${error.message}（${details.join('；')}）` : error.message;
}
