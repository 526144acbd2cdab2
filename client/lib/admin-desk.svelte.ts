/**
 * State of the administration view: the lists of users, kiosk credentials and integration keys (each refetched after
 * a change), and the audit log browser (filters, pages fetched with `before`, the chain's verification).
 */
import type { AuditEntry } from '../../shared/audit.js';
import type { ApiKeyCreateInput, ApiKeyView, KioskView, SecretOnce, UserCreateInput, UserUpdateInput, UserView } from '../../shared/auth.js';
import type { ApiFailure } from './api.js';
import { createAdminApi, type AdminApi, type AdminOutcome, type AuditQuery, type AuditVerification } from './admin-api.js';
import { Resource } from './console-resource.svelte.js';

export const AUDIT_PAGE = 50;

export class AdminDesk {
  readonly api: AdminApi;
  readonly users: Resource<UserView[]>;
  readonly kiosks: Resource<KioskView[]>;
  readonly keys: Resource<ApiKeyView[]>;
  readonly audit: AuditBrowser;

  constructor(api: AdminApi = createAdminApi()) {
    this.api = api;
    this.users = new Resource((signal) => api.users(signal));
    this.kiosks = new Resource((signal) => api.kiosks(signal));
    this.keys = new Resource((signal) => api.keys(signal));
    this.audit = new AuditBrowser(api);
  }

  start(): () => void {
    void this.users.reload();
    void this.kiosks.reload();
    void this.keys.reload();
    void this.audit.search({});
    return () => {
      this.users.dispose();
      this.kiosks.dispose();
      this.keys.dispose();
    };
  }

  /** Runs a change and, whatever came of it, shows the list as it now is (a conflict means someone else changed it). */
  async #change<R>(list: { reload(): Promise<void> }, run: () => Promise<AdminOutcome<R>>): Promise<AdminOutcome<R>> {
    const outcome = await run();
    if (outcome.ok || outcome.error.kind === 'conflict') void list.reload();
    return outcome;
  }

  createUser(input: UserCreateInput) {
    return this.#change(this.users, () => this.api.createUser(input));
  }
  updateUser(userId: string, input: UserUpdateInput) {
    return this.#change(this.users, () => this.api.updateUser(userId, input));
  }
  unlockUser(userId: string) {
    return this.#change(this.users, () => this.api.unlockUser(userId));
  }
  createKiosk(name: string): Promise<AdminOutcome<SecretOnce<KioskView>>> {
    return this.#change(this.kiosks, () => this.api.createKiosk(name));
  }
  revokeKiosk(kioskId: string) {
    return this.#change(this.kiosks, () => this.api.revokeKiosk(kioskId));
  }
  createKey(input: ApiKeyCreateInput): Promise<AdminOutcome<SecretOnce<ApiKeyView>>> {
    return this.#change(this.keys, () => this.api.createKey(input));
  }
  revokeKey(keyId: string) {
    return this.#change(this.keys, () => this.api.revokeKey(keyId));
  }
}

export type VerifyState = { status: 'idle' } | { status: 'running' } | { status: 'done'; result: AuditVerification } | { status: 'error'; error: ApiFailure };

/** The audit log, newest first, a page at a time: the next page is the entries before the last seq shown. */
export class AuditBrowser {
  #entries = $state.raw<AuditEntry[]>([]);
  #loading = $state(false);
  #error = $state.raw<ApiFailure | null>(null);
  #end = $state(false);
  #query = $state.raw<AuditQuery>({});
  #verify = $state.raw<VerifyState>({ status: 'idle' });
  #controller: AbortController | null = null;
  readonly #api: AdminApi;
  readonly #page: number;

  constructor(api: AdminApi, page = AUDIT_PAGE) {
    this.#api = api;
    this.#page = page;
  }

  get entries(): readonly AuditEntry[] {
    return this.#entries;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get error(): ApiFailure | null {
    return this.#error;
  }
  /** No older entries match the filter. */
  get end(): boolean {
    return this.#end;
  }
  get query(): AuditQuery {
    return this.#query;
  }
  get verification(): VerifyState {
    return this.#verify;
  }

  /** A new filter: the newest page that matches it. */
  search(query: AuditQuery): Promise<void> {
    this.#query = query;
    this.#entries = [];
    this.#end = false;
    return this.#fetch(undefined);
  }

  /** The page after the last entry shown. */
  more(): Promise<void> {
    const last = this.#entries.at(-1);
    if (this.#end || this.#loading || !last) return Promise.resolve();
    return this.#fetch(last.seq);
  }

  async verifyChain(): Promise<void> {
    this.#verify = { status: 'running' };
    const answer = await this.#api.verifyAudit();
    this.#verify = answer.ok ? { status: 'done', result: answer.data } : { status: 'error', error: answer.error };
  }

  async #fetch(before: number | undefined): Promise<void> {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    this.#loading = true;
    this.#error = null;
    let answer: Awaited<ReturnType<AdminApi['audit']>>;
    try {
      answer = await this.#api.audit({ ...this.#query, limit: this.#page, ...(before !== undefined && { before }) }, controller.signal);
    } catch {
      return; // aborted by a newer search
    }
    if (controller.signal.aborted) return;
    this.#loading = false;
    if (!answer.ok) {
      this.#error = answer.error;
      return;
    }
    this.#entries = before === undefined ? answer.data : [...this.#entries, ...answer.data];
    this.#end = answer.data.length < this.#page;
  }
}
