/**
 * Typed fetch helpers for the read API (the session cookie goes with every same-origin request). Failures come back as values (`Loaded<T>`), so a panel shows "could not
 * load" as state instead of throwing into the component tree.
 */
import type { CasePage, ClientConfig, GeoResponse, HeatExplanation } from '../../shared/api.js';
import type { RiskExplanation } from '../../shared/risk.js';
import type { CaseStatus } from '../../shared/vocabulary.js';
import { serverErrorOf, type ServerError } from './error-text.js';
import { sessionEnded } from './session-signal.js';

/** An 'http' failure keeps the server's error code, params and field errors, so the UI words it in its own language. */
export type ApiFailure = { kind: 'network' } | ({ kind: 'http'; status: number } & Omit<ServerError, 'status'>) | { kind: 'parse' };

export type Loaded<T> = { ok: true; data: T } | { ok: false; error: ApiFailure };

/** What a panel holds while it fetches: nothing yet, the data, or why not. */
export type Loadable<T> = { status: 'loading' } | { status: 'ready'; data: T } | { status: 'error'; error: ApiFailure };

export function toLoadable<T>(result: Loaded<T>): Loadable<T> {
  return result.ok ? { status: 'ready', data: result.data } : { status: 'error', error: result.error };
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<Loaded<T>> {
  let response: Response;
  try {
    response = await fetch(path, { signal, headers: { accept: 'application/json' } });
  } catch (error) {
    if (signal?.aborted) throw error;
    return { ok: false, error: { kind: 'network' } };
  }
  // Not signed in, or the session ended: the session store sends the user to sign in.
  if (response.status === 401) sessionEnded();
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return response.ok ? { ok: false, error: { kind: 'parse' } } : { ok: false, error: { kind: 'http', status: response.status } };
  }
  if (!response.ok) {
    return { ok: false, error: { kind: 'http', status: response.status, ...serverErrorOf(body) } };
  }
  return { ok: true, data: body as T };
}

export const api = {
  geo: (signal?: AbortSignal) => getJson<GeoResponse>('/api/geo', signal),
  clientConfig: (signal?: AbortSignal) => getJson<ClientConfig>('/api/client-config', signal),
  cases: (query: { communityCode?: string; streetCode?: string; status?: CaseStatus; limit?: number; cursor?: string }, signal?: AbortSignal) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    return getJson<CasePage>(`/api/cases?${params}`, signal);
  },
  heat: (code: string, signal?: AbortSignal) => getJson<HeatExplanation>(`/api/areas/${encodeURIComponent(code)}/heat`, signal),
  risk: (code: string, signal?: AbortSignal) => getJson<RiskExplanation>(`/api/areas/${encodeURIComponent(code)}/risk`, signal),
};
