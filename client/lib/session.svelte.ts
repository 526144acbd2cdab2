/**
 * Who this browser is signed in as (`GET /api/auth/me`), and the only place that signs in and out. The role and the
 * department of every console come from here, never from the page. When the server stops knowing the browser (a 401
 * anywhere, a refused socket handshake), the user is sent to `#/login` with a message and, after signing in again,
 * back to where they were.
 */
import type { AccessRole, Me } from '../../shared/auth.js';
import { explicitRoute, homeOf, mayOpen } from './route.js';
import { onSessionSignal } from './session-signal.js';

export type SessionState = 'loading' | 'ready' | 'error';

/** Why the login page is showing, when it is not simply the first visit. */
export type SessionNotice = 'expired' | 'signedOut' | 'kioskInvalid' | null;

export type SignInFailure =
  | { kind: 'invalid' }
  | { kind: 'locked'; retryAfterSeconds: number }
  | { kind: 'network' }
  | { kind: 'http'; status: number; message?: string };

export type SignInOutcome = { ok: true; me: Me } | { ok: false; error: SignInFailure };

export interface SessionDeps {
  fetch?: typeof fetch;
  /** The current hash (`#/duty`); tests pass their own. */
  hash?: () => string;
  /** Goes to a hash route. */
  navigate?: (hash: string) => void;
  storage?: () => Storage | undefined;
  /** Where the browser remembers that it is a wall screen signed in by kiosk code (default localStorage). */
  persist?: () => Storage | undefined;
}

/** Set while this browser is a kiosk-signed wall: its session ending means the screen's access was withdrawn. */
const KIOSK_KEY = 'sygl.kioskScreen';

const RETURN_KEY = 'sygl.returnTo';

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; retryAfterSeconds?: unknown };
}

export class Session {
  #me = $state.raw<Me | null>(null);
  #state = $state<SessionState>('loading');
  #notice = $state<SessionNotice>(null);
  readonly #fetch: typeof fetch;
  readonly #hash: () => string;
  readonly #navigate: (hash: string) => void;
  readonly #storage: () => Storage | undefined;
  #checking: Promise<void> | null = null;
  #withdrawn = $state(false);
  readonly #persist: () => Storage | undefined;

  constructor(deps: SessionDeps = {}) {
    this.#fetch = deps.fetch ?? ((input, init) => fetch(input, init));
    this.#hash = deps.hash ?? (() => location.hash);
    this.#navigate = deps.navigate ?? ((hash) => (location.hash = hash));
    this.#storage = deps.storage ?? (() => globalThis.sessionStorage);
    this.#persist = deps.persist ?? (() => globalThis.localStorage);
  }

  /**
   * A wall screen signed in by kiosk code whose session the server no longer knows (the code was revoked, or its
   * session ended): the wall shows its own page saying so, not the user/password page, which a wall cannot use.
   */
  get withdrawn(): boolean {
    return this.#withdrawn;
  }

  #kioskScreen(set?: boolean): boolean {
    try {
      const storage = this.#persist();
      if (set === true) storage?.setItem(KIOSK_KEY, '1');
      else if (set === false) storage?.removeItem(KIOSK_KEY);
      return storage?.getItem(KIOSK_KEY) === '1';
    } catch {
      return false;
    }
  }

  get me(): Me | null {
    return this.#me;
  }
  get role(): AccessRole | null {
    return this.#me?.role ?? null;
  }
  /** The department of a department user; nothing for any other role. */
  get deptId(): string | null {
    return this.#me?.role === 'dept' ? (this.#me.deptId ?? null) : null;
  }
  get state(): SessionState {
    return this.#state;
  }
  get notice(): SessionNotice {
    return this.#notice;
  }

  /** Asks the server who this browser is. A 401 is an answer (nobody); a network failure is `error` (retry). */
  async load(): Promise<void> {
    let response: Response;
    try {
      response = await this.#fetch('/api/auth/me', { headers: { accept: 'application/json' } });
    } catch {
      if (this.#state === 'loading') this.#state = 'error';
      return;
    }
    if (response.ok) {
      try {
        this.#me = (await response.json()) as Me;
        this.#state = 'ready';
        return;
      } catch {
        this.#state = 'error';
        return;
      }
    }
    this.#me = null;
    this.#state = response.status === 401 ? 'ready' : 'error';
    // A kiosk wall restarted after its code was revoked: its own page, not the login form.
    if (response.status === 401 && this.#kioskScreen() && explicitRoute(this.#hash()) === 'wall') this.#withdrawn = true;
  }

  login(username: string, password: string): Promise<SignInOutcome> {
    return this.#signIn('/api/auth/login', { username, password });
  }

  async kioskLogin(code: string): Promise<SignInOutcome> {
    const outcome = await this.#signIn('/api/auth/kiosk', { code });
    if (outcome.ok) {
      this.#kioskScreen(true);
      this.#withdrawn = false;
    }
    return outcome;
  }

  /** Ends the session on the server (so a copy of the cookie stops working too), then shows the login page. */
  async logout(): Promise<void> {
    try {
      await this.#fetch('/api/auth/logout', { method: 'POST' });
    } catch {
      // Offline: the cookie stays until it expires, but this browser forgets the user and shows the login page.
    }
    this.#me = null;
    this.#notice = 'signedOut';
    this.#forgetReturn();
    this.#navigate('#/login');
  }

  /** The server no longer knows this browser: remember where the user was and ask them to sign in again. */
  ended(wasSignedIn = this.#me !== null): void {
    const wasKiosk = this.#me?.kind === 'kiosk' || (this.#me === null && this.#kioskScreen());
    this.#me = null;
    this.#state = 'ready';
    if (wasKiosk && explicitRoute(this.#hash()) === 'wall') {
      this.#withdrawn = true;
      return;
    }
    if (explicitRoute(this.#hash()) === 'login') return;
    if (wasSignedIn) this.#notice = 'expired';
    this.rememberHere();
    this.#navigate('#/login');
  }

  /** Something hinted the session may be gone (a dropped socket): ask once, and act on the answer. */
  check(): Promise<void> {
    this.#checking ??= (async () => {
      const before = this.#me;
      await this.load();
      if (before && !this.#me && this.#state === 'ready') this.ended(true);
    })().finally(() => (this.#checking = null));
    return this.#checking;
  }

  /** Where to come back to after signing in (the current view, e.g. a department desk someone bookmarked). */
  rememberHere(): void {
    const hash = this.#hash();
    const route = explicitRoute(hash);
    if (!route || route === 'login') return;
    try {
      this.#storage()?.setItem(RETURN_KEY, hash.split('?')[0]!);
    } catch {
      // A locked-down browser: the user lands on their role's home instead.
    }
  }

  /** The hash to open after signing in as `role`: where they were, if that view is theirs, else their home. */
  landing(role: AccessRole): string {
    let stored: string | null = null;
    try {
      stored = this.#storage()?.getItem(RETURN_KEY) ?? null;
    } catch {
      stored = null;
    }
    this.#forgetReturn();
    const route = stored ? explicitRoute(stored) : null;
    return route && route !== 'login' && mayOpen(role, route) ? stored! : `#/${homeOf(role)}`;
  }

  setNotice(notice: SessionNotice): void {
    this.#notice = notice;
  }

  #forgetReturn(): void {
    try {
      this.#storage()?.removeItem(RETURN_KEY);
    } catch {
      // nothing stored, nothing to forget
    }
  }

  async #signIn(path: string, body: Record<string, string>): Promise<SignInOutcome> {
    let response: Response;
    try {
      response = await this.#fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
    } catch {
      return { ok: false, error: { kind: 'network' } };
    }
    let answer: unknown;
    try {
      answer = await response.json();
    } catch {
      answer = undefined;
    }
    if (response.ok && answer) {
      this.#me = answer as Me;
      this.#state = 'ready';
      this.#notice = null;
      // Someone signed in by name here: this browser is no longer (only) a kiosk wall.
      if (this.#me.kind !== 'kiosk') {
        this.#kioskScreen(false);
        this.#withdrawn = false;
      }
      return { ok: true, me: this.#me };
    }
    const error = (answer as ErrorBody | undefined)?.error;
    if (response.status === 401) return { ok: false, error: { kind: 'invalid' } };
    if (response.status === 429 && error?.code === 'locked') {
      const fromBody = typeof error.retryAfterSeconds === 'number' ? error.retryAfterSeconds : NaN;
      const fromHeader = Number(response.headers.get('retry-after'));
      const seconds = Number.isFinite(fromBody) ? fromBody : Number.isFinite(fromHeader) ? fromHeader : 60;
      return { ok: false, error: { kind: 'locked', retryAfterSeconds: seconds } };
    }
    return { ok: false, error: { kind: 'http', status: response.status, ...(typeof error?.message === 'string' && { message: error.message }) } };
  }
}

export const session = new Session();

onSessionSignal((signal) => {
  if (signal === 'ended') session.ended();
  else void session.check();
});
