/**
 * The dispatch simulation's only way into the server: the public HTTP API, as the consoles use it. At most
 * `maxInFlight` requests at a time, so the simulation never crowds out the wall; network errors and 5xx/408/429 are
 * retried with exponential backoff (honouring Retry-After), like the demo feed, and a retried command keeps its
 * commandId so the server applies it once. Stopping lets requests in flight finish and starts no new one.
 */
import type { CaseSummary } from '../../shared/api.js';
import type { CommandInput, CommandResult } from '../../shared/dispatch.js';
import type { SimTimers } from './dispatch-agenda.js';
import type { FeedLogger } from './demo-feed.js';

/** Who is acting: a simulated officer or department, signed in as its demo user (sim/demo-access.ts). */
export interface SimActor {
  role: 'duty' | 'dept';
  deptId?: string;
  name: string;
}

/** The user name and password an actor signs in with. */
export type SimSignIn = (actor: SimActor) => { username: string; password: string };

export type CommandAnswer =
  | { ok: true; result: CommandResult }
  | { ok: false; status: number; code: string; message: string; current?: CaseSummary };

export interface SimHttpOptions {
  baseUrl: string;
  log: FeedLogger;
  timers: SimTimers;
  maxInFlight: number;
  retryBaseMs: number;
  retryMaxMs: number;
  requestTimeoutMs: number;
  /** Called for a read the server refused for a reason other than 403/404: a bug in the simulation. */
  onRefused?: () => void;
  signIn: SimSignIn;
}

/** Thrown into tasks once the simulation stops; the diary swallows it. */
export class SimStopped extends Error {
  constructor() {
    super('dispatch simulation stopped');
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; current?: CaseSummary; details?: unknown };
}

export class SimHttp {
  readonly #base: string;
  readonly #waiting: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  readonly #sleeping = new Set<() => void>();
  #inFlight = 0;
  #stopped = false;
  /** Session cookie per user name, from its sign-in. */
  readonly #sessions = new Map<string, Promise<string>>();
  requests = 0;
  retries = 0;

  constructor(private readonly o: SimHttpOptions) {
    this.#base = o.baseUrl.replace(/\/+$/, '');
  }

  /** The parsed body of a 2xx answer, or undefined for 403/404 (the actor may not, or no longer, see it). */
  async get<T>(path: string, actor: SimActor): Promise<T | undefined> {
    const { status, text } = await this.#request('GET', path, actor);
    if (status >= 200 && status < 300) return JSON.parse(text) as T;
    if (status === 403 || status === 404) return undefined;
    this.o.onRefused?.();
    this.o.log.error({ status, path, error: parseBody(text).error }, 'dispatch sim: read refused');
    return undefined;
  }

  async command(caseId: string, actor: SimActor, command: CommandInput): Promise<CommandAnswer> {
    const { status, text } = await this.#request('POST', `/api/cases/${encodeURIComponent(caseId)}/commands`, actor, JSON.stringify(command));
    if (status === 200 || status === 201) return { ok: true, result: JSON.parse(text) as CommandResult };
    const error = parseBody(text).error ?? {};
    return {
      ok: false,
      status,
      code: error.code ?? 'unknown',
      message: error.message ?? text.slice(0, 300),
      ...(error.current && { current: error.current }),
    };
  }

  /** A command on a risk alert; the answer's status only (the alert desk re-reads the list anyway). */
  async alertCommand(alertId: string, actor: SimActor, command: Record<string, unknown>): Promise<number> {
    const { status } = await this.#request('POST', `/api/alerts/${encodeURIComponent(alertId)}/commands`, actor, JSON.stringify(command));
    return status;
  }

  stop(): void {
    this.#stopped = true;
    for (const w of this.#waiting.splice(0)) w.reject(new SimStopped());
    for (const wake of this.#sleeping) wake();
  }

  /** Signs the actor's user in once and keeps the session cookie; a 401 later signs in again. */
  #session(actor: SimActor, fresh = false): Promise<string> {
    const credentials = this.o.signIn(actor);
    const known = this.#sessions.get(credentials.username);
    if (known && !fresh) return known;
    const signingIn = fetch(`${this.#base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(credentials),
      signal: AbortSignal.timeout(this.o.requestTimeoutMs),
    }).then((res) => {
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sygl_session='))?.split(';')[0];
      if (!res.ok || !cookie) throw new Error(`dispatch sim: ${credentials.username} could not sign in (${res.status})`);
      return cookie;
    });
    this.#sessions.set(credentials.username, signingIn);
    signingIn.catch(() => this.#sessions.delete(credentials.username));
    return signingIn;
  }

  async #request(method: string, path: string, actor: SimActor, body?: string): Promise<{ status: number; text: string }> {
    // The server's own origin, as the desk's page sends it: a signed-in write without one is refused
    // (server/auth/same-origin.ts).
    const headers: Record<string, string> = { origin: new URL(this.#base).origin };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let signedInAgain = false;
    for (let attempt = 0; ; attempt++) {
      await this.#acquire();
      let retryAfterMs: number | undefined;
      try {
        this.requests += 1;
        const used = await this.#session(actor);
        headers.cookie = used;
        const res = await fetch(`${this.#base}${path}`, { method, headers, ...(body !== undefined && { body }), signal: AbortSignal.timeout(this.o.requestTimeoutMs) });
        const text = await res.text();
        // A session in use is renewed by the server (idle timeout): keep the renewed cookie, as a browser does.
        const renewed = res.headers.getSetCookie().find((c) => c.startsWith('sygl_session=') && !c.startsWith('sygl_session=;'))?.split(';')[0];
        if (renewed) this.#sessions.set(this.o.signIn(actor).username, Promise.resolve(renewed));
        if (res.status === 401 && !signedInAgain) {
          // The session ran out (idle timeout, a restart with another key): sign in again, once.
          signedInAgain = true;
          // Many requests may come back 401 at once: only the first signs in again, the rest use its session (each
          // sign-in counts towards the lockout, and a burst of them would lock the user out).
          const now = await this.#sessions.get(this.o.signIn(actor).username)?.catch(() => undefined);
          if (now === undefined || now === used) void this.#session(actor, true).catch(() => undefined);
          continue;
        }
        if (res.status < 500 && res.status !== 408 && res.status !== 429) return { status: res.status, text };
        retryAfterMs = Math.min(this.o.retryMaxMs, Number(res.headers.get('retry-after')) * 1000) || undefined;
        this.o.log.warn({ status: res.status, attempt, method, path }, 'dispatch sim: server unavailable, retrying');
      } catch (e) {
        this.o.log.warn({ err: (e as Error).message, attempt, method, path }, 'dispatch sim: network error, retrying');
      } finally {
        this.#release();
      }
      // Back off without holding a slot: the other actors' requests queue for the same server anyway.
      this.retries += 1;
      await this.#sleep(retryAfterMs ?? Math.min(this.o.retryMaxMs, this.o.retryBaseMs * 2 ** Math.min(attempt, 16)));
    }
  }

  #acquire(): Promise<void> {
    if (this.#stopped) return Promise.reject(new SimStopped());
    if (this.#inFlight < this.o.maxInFlight) {
      this.#inFlight += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  #release(): void {
    const next = this.#waiting.shift();
    // The slot passes straight to the next waiter, so the count never dips below what is really in flight.
    if (next) next.resolve();
    else this.#inFlight -= 1;
  }

  #sleep(ms: number): Promise<void> {
    if (this.#stopped) return Promise.reject(new SimStopped());
    return new Promise((resolve, reject) => {
      const wake = () => {
        this.#sleeping.delete(wake);
        this.o.timers.clearTimeout(handle);
        if (this.#stopped) reject(new SimStopped());
        else resolve();
      };
      const handle = this.o.timers.setTimeout(wake, ms);
      this.#sleeping.add(wake);
    });
  }
}

function parseBody(text: string): ErrorBody {
  try {
    return JSON.parse(text) as ErrorBody;
  } catch {
    return {};
  }
}
