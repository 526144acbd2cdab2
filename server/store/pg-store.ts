/**
 * The event log on PostgreSQL, shared by several server nodes (docs/architecture.md §4, issue 7). Every append transaction
 * first takes one advisory lock per log (pg_advisory_xact_lock), reads max(seq) and numbers its events from there:
 * the lock is held to COMMIT, so seq is gapless and in commit order however many processes write. Within this
 * process, appends that arrive while a commit is in flight share the next transaction (group commit), as in the
 * SQLite store; each append still succeeds or fails alone (see #commitPlans), and so does each precondition: it is
 * checked in the same transaction, under the lock, so a node deciding on state a few commits old cannot write over an
 * event another node just committed.
 *
 * Durability is the server's: with synchronous_commit on (the default) COMMIT returns after the WAL is flushed,
 * and append resolves only after COMMIT returned. Any failure to reach PostgreSQL, including a connection lost
 * while COMMIT was in flight (its outcome unknown), rejects with StoreUnavailableError: callers answer 503, the
 * sender retries, and sourceKey turns the retry into a duplicate if the first try did commit.
 *
 * onCommit reports only the events this process committed. Events other nodes commit reach this process through
 * readAfter, and readAfter/lastSeq read the whole shared log, so unlike the SQLite store they may run ahead of what
 * this process's listeners have seen. Each append transaction that commits events also sends pg_notify with the new
 * last seq; onRemoteCommit listeners hear it through one LISTEN connection (reconnected after a failure, with a look
 * at lastSeq for what passed meanwhile), and server/log-follower.ts reads the events they missed.
 */
import pg from 'pg';
import type { EventDraft, StoredEvent } from '../../shared/events.js';
import {
  AppendConflictError,
  StoreMismatchError,
  StoreUnavailableError,
  type AppendOptions,
  type AppendOutcome,
  type AppendPrecondition,
  type CommitListener,
  type EventStore,
  type RemoteCommitListener,
  queueFull,
} from './event-store.js';
import { planAppend, planGroup, remember, type AppendPlan } from './pg-plan.js';
import { COLUMNS, ensureSchema, pgTables, toEvent, type PgRow, type PgTables } from './pg-schema.js';
import { aboutAnySql, invalidPrecondition } from './subjects.js';
import { SchemaVersionError } from './schema-version.js';

export interface PgStoreOptions {
  /** postgres://user@host:port/database */
  url: string;
  district: string;
  /** The schema holding this log's tables (created if missing). Default `public`. */
  schema?: string;
  clock?: () => number;
  /** How long to wait for a connection before failing as unavailable. Default 5 s. */
  connectTimeoutMs?: number;
  /** Longest a single statement may take before the append fails as unavailable (a silent network). Default 15 s. */
  queryTimeoutMs?: number;
  /** Pooled connections: one writes at a time, the others serve reads. Default 10. */
  poolSize?: number;
  /** Shown in pg_stat_activity; name the node when several run. Default `sygl-event-store`. */
  applicationName?: string;
  /** Errors of idle pooled connections (server restarted, network cut). The pool replaces them by itself. */
  onError?: (error: Error) => void;
}

interface Append {
  drafts: readonly EventDraft[];
  precondition: AppendPrecondition | undefined;
}

interface Pending extends Append {
  resolve: (outcomes: AppendOutcome[]) => void;
  reject: (error: unknown) => void;
}

/** A precondition to check against the events before `before`, the first seq its append writes. */
interface Check extends AppendPrecondition {
  before: number;
}

type AppendResult = AppendOutcome[] | Error;

/** The LISTEN connection of onRemoteCommit; `stop()` ends it without the reconnect a failure causes. */
interface Listening {
  client: pg.Client;
  stop(): void;
}

/** How long the LISTEN connection waits before reconnecting after a failure. */
const RELISTEN_MS = 1_000;

/** Drafts per group commit at most; beyond that the rest waits for the next one (bounds statement size). */
const MAX_GROUP_DRAFTS = 10_000;

/** SQLSTATE classes 22 (data exception) and 23 (integrity violation): the drafts are at fault, not the database. */
function isRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

function unavailable(error: unknown, message: string): Error {
  if (error instanceof StoreUnavailableError || error instanceof StoreMismatchError || error instanceof SchemaVersionError) return error;
  return new StoreUnavailableError(`${message}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

/** A connection checked out for one transaction. pg emits 'error' on a checked-out client whose socket dies. */
class Session {
  #broken: Error | undefined;
  readonly #onError = (error: Error) => (this.#broken ??= error);

  constructor(readonly client: pg.PoolClient) {
    client.on('error', this.#onError);
  }

  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    if (this.#broken) return Promise.reject(this.#broken);
    return this.client.query<R>(text, values);
  }

  /** Returns the connection, or destroys it when `error` says it may be dead or mid-transaction. */
  release(error?: unknown): void {
    this.client.off('error', this.#onError);
    this.client.release(error === undefined ? undefined : error instanceof Error ? error : new Error(String(error)));
  }
}

export class PgEventStore implements EventStore {
  readonly #pool: pg.Pool;
  readonly #tables: PgTables;
  readonly #district: string;
  readonly #clock: () => number;
  readonly #listeners = new Set<CommitListener>();
  readonly #remoteListeners = new Set<RemoteCommitListener>();
  readonly #options: PgStoreOptions;
  /** NOTIFY channel of this log: every node on the same schema uses the same one. */
  readonly #channel: string;
  #listening: Listening | undefined;
  #relisten: ReturnType<typeof setTimeout> | undefined;
  #queue: Pending[] = [];
  #writing: Promise<void> | undefined;
  #ready: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  /** Opens the log: creates its schema and tables if missing, checks the district. */
  static open(options: PgStoreOptions): Promise<PgEventStore> {
    return new PgEventStore(options).open();
  }

  /** Connects lazily: `open()`, or the first append or read, creates the tables and checks the district. */
  constructor(options: PgStoreOptions) {
    this.#options = options;
    this.#tables = pgTables(options.schema ?? 'public');
    this.#channel = `sygl_log_${(this.#tables.appendLock[1] >>> 0).toString(16)}`;
    this.#district = options.district;
    this.#clock = options.clock ?? Date.now;
    this.#pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      query_timeout: options.queryTimeoutMs ?? 15_000,
      // A node frozen mid-append must not hold the append lock for ever.
      idle_in_transaction_session_timeout: 10_000,
      keepAlive: true,
      application_name: options.applicationName ?? 'sygl-event-store',
    });
    // Without a listener an idle connection's error (server restart) would crash the process.
    this.#pool.on('error', (error) => options.onError?.(error));
  }

  /** Idempotent; a failed attempt (server unreachable) is retried by the next call, a district mismatch is final. */
  async open(): Promise<this> {
    if (!this.#ready) {
      const attempt = this.#init();
      this.#ready = attempt;
      attempt.catch((error: unknown) => {
        if (this.#ready === attempt && !(error instanceof StoreMismatchError) && !(error instanceof SchemaVersionError)) this.#ready = undefined;
      });
    }
    await this.#ready;
    return this;
  }

  async #init(): Promise<void> {
    let session: Session;
    try {
      session = new Session(await this.#pool.connect());
    } catch (error) {
      throw unavailable(error, 'cannot reach PostgreSQL');
    }
    try {
      await ensureSchema(session.client, this.#tables, this.#district);
      session.release();
    } catch (error) {
      session.release(error);
      throw unavailable(error, 'cannot prepare the PostgreSQL event log');
    }
  }

  append(drafts: readonly EventDraft[], options: AppendOptions = {}): Promise<AppendOutcome[]> {
    if (this.#closing) return Promise.reject(new StoreUnavailableError('the event store is closed'));
    const invalid = invalidPrecondition(options.precondition);
    if (invalid) return Promise.reject(new TypeError(invalid));
    if (drafts.length === 0) return Promise.resolve([]);
    const full = queueFull(this.#queue, drafts.length);
    if (full) return Promise.reject(full);
    return new Promise((resolve, reject) => {
      this.#queue.push({ drafts, precondition: options.precondition, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#writing || this.#queue.length === 0) return;
    let drafts = 0;
    let take = 0;
    while (take < this.#queue.length && (take === 0 || drafts + this.#queue[take]!.drafts.length <= MAX_GROUP_DRAFTS)) {
      drafts += this.#queue[take]!.drafts.length;
      take++;
    }
    const group = this.#queue.splice(0, take);
    this.#writing = this.#commitGroup(group).finally(() => {
      this.#writing = undefined;
      this.#pump();
    });
  }

  /** Never rejects: every pending append is settled here. */
  async #commitGroup(group: Pending[]): Promise<void> {
    let outcome: { results: AppendResult[]; committed: StoredEvent[] };
    try {
      await this.open();
      outcome = await this.#transaction(group);
    } catch (error) {
      const failure = unavailable(error, 'the event log could not commit');
      for (const pending of group) pending.reject(failure);
      return;
    }
    // A listener that must first read what other nodes committed before these makes the appends wait for it.
    if (outcome.committed.length) await this.#notify(outcome.committed);
    group.forEach((pending, i) => {
      const result = outcome.results[i]!;
      if (Array.isArray(result)) pending.resolve(result);
      else pending.reject(result);
    });
  }

  /** Never rejects. */
  async #notify(events: readonly StoredEvent[]): Promise<void> {
    const waits: Promise<void>[] = [];
    // The events are committed whatever a listener does: settle the appends, surface the bug as uncaught.
    const surface = (error: unknown) =>
      queueMicrotask(() => {
        throw error;
      });
    for (const listener of this.#listeners) {
      try {
        const pending = listener(events);
        if (pending instanceof Promise) waits.push(pending.catch(surface));
      } catch (error) {
        surface(error);
      }
    }
    if (waits.length) await Promise.all(waits);
  }

  async #transaction(appends: readonly Append[]): Promise<{ results: AppendResult[]; committed: StoredEvent[] }> {
    const session = await this.#begin();
    try {
      const { rows } = await session.query<{ last: string }>(`SELECT coalesce(max(seq), 0) AS last FROM ${this.#tables.events}`);
      const nextSeq = Number(rows[0]!.last) + 1;
      const known = await this.#storedByKey(session, appends);
      const at = new Date(this.#clock()).toISOString();
      const outcome = await this.#commitPlans(session, appends, nextSeq, at, known);
      // The notification is delivered on COMMIT, to every node listening (this one too: its follower ignores it).
      const last = nextSeq + outcome.committed.length - 1;
      await session.query(outcome.committed.length ? `SELECT pg_notify('${this.#channel}', '${last}'); COMMIT` : 'COMMIT');
      session.release();
      return outcome;
    } catch (error) {
      session.release(error);
      throw error;
    }
  }

  /**
   * BEGIN and the append lock in one round trip. A pooled connection may have died while idle (server restart)
   * without the pool noticing yet: nothing is written at this point, so one more try on a fresh one is safe.
   */
  async #begin(): Promise<Session> {
    const [classId, objId] = this.#tables.appendLock;
    for (let attempt = 1; ; attempt++) {
      const session = new Session(await this.#pool.connect());
      try {
        await session.query(`BEGIN; SELECT pg_advisory_xact_lock(${classId}, ${objId})`);
        return session;
      } catch (error) {
        session.release(error);
        if (attempt === 2 || isRefusal(error)) throw error;
      }
    }
  }

  /** The stored events for the group's sourceKeys, read under the lock, so no other node can add one meanwhile. */
  async #storedByKey(session: Session, appends: readonly Append[]): Promise<Map<string, StoredEvent>> {
    const keys = [...new Set(appends.flatMap(({ drafts }) => drafts.flatMap((d) => (d.sourceKey === undefined ? [] : [d.sourceKey]))))];
    const known = new Map<string, StoredEvent>();
    if (keys.length === 0) return known;
    const { rows } = await session.query<PgRow>(`SELECT ${COLUMNS} FROM ${this.#tables.events} WHERE source_key = ANY($1::text[])`, [keys]);
    remember(known, rows.map(toEvent));
    return known;
  }

  /**
   * The whole group in one INSERT first, then its preconditions in one query (each against what comes before its own
   * events: the log, and the appends ahead of it, which may be about the same case). If the database refuses the
   * rows (say, a duplicate id) or a precondition fails, the group is planned again append by append, each checked
   * and inserted under its own savepoint, so only the appends at fault fail and seq stays gapless. Append by append
   * also gets right a precondition that failed only because of an append ahead of it that is itself refused now.
   */
  async #commitPlans(session: Session, appends: readonly Append[], nextSeq: number, at: string, known: Map<string, StoredEvent>) {
    const plans = planGroup(appends.map((a) => a.drafts), nextSeq, at, known);
    const all = plans.flatMap((plan) => plan.fresh);
    const checks = appends.flatMap((a, i) => checkOf(a, plans[i]!));
    const refused = await this.#insert(session, all, at, checks);
    if (!refused) return { results: plans.map((plan): AppendResult => plan.outcomes), committed: all };
    if (appends.length === 1) return { results: [refused instanceof AppendConflictError ? refused : refusal(refused)], committed: [] };
    const results: AppendResult[] = [];
    const committed: StoredEvent[] = [];
    let seq = nextSeq;
    for (const append of appends) {
      const plan: AppendPlan = planAppend(append.drafts, seq, at, known);
      const error = await this.#insert(session, plan.fresh, at, checkOf(append, plan));
      if (error) {
        results.push(error instanceof AppendConflictError ? error : refusal(error));
        continue;
      }
      results.push(plan.outcomes);
      committed.push(...plan.fresh);
      seq += plan.fresh.length;
      remember(known, plan.fresh);
    }
    return { results, committed };
  }

  /**
   * Inserts under a savepoint, then checks the preconditions; resolves with the error (rolled back) when the database
   * refused the rows, or with an AppendConflictError for the first precondition that failed.
   */
  async #insert(session: Session, events: readonly StoredEvent[], at: string, checks: readonly Check[]): Promise<Error | undefined> {
    if (events.length === 0) return undefined;
    await session.query('SAVEPOINT append');
    try {
      // One JSON parameter (faster than array parameters). `data` rides in it as a string, so the column keeps the
      // very text written here: parsed as a nested value, a "\u0000" in it would have to become text, which fails.
      await session.query(
        `INSERT INTO ${this.#tables.events} (${COLUMNS})
         SELECT u.seq, u.id, $1::timestamptz, u.type, u.source_key, u.data::json
         FROM json_to_recordset($2::json) AS u(seq bigint, id text, type text, source_key text, data text)`,
        [at, JSON.stringify(events.map((e) => ({ seq: e.seq, id: e.id, type: e.type, source_key: e.sourceKey ?? null, data: JSON.stringify(e.data) })))],
      );
    } catch (error) {
      if (!isRefusal(error)) throw error;
      await session.query('ROLLBACK TO SAVEPOINT append; RELEASE SAVEPOINT append');
      return error as Error;
    }
    const conflict = await this.#conflict(session, checks);
    await session.query(conflict ? 'ROLLBACK TO SAVEPOINT append; RELEASE SAVEPOINT append' : 'RELEASE SAVEPOINT append');
    return conflict;
  }

  /** The first failed precondition, with the latest event about its subject before its own events. One round trip. */
  async #conflict(session: Session, checks: readonly Check[]): Promise<AppendConflictError | undefined> {
    if (checks.length === 0) return undefined;
    const { rows } = await session.query<{ seq: string | null }>(
      `SELECT (SELECT max(e.seq) FROM ${this.#tables.events} e WHERE e.seq > p.after AND e.seq < p.before AND ${aboutAnySql('p.kind', 'p.id')}) AS seq
       FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) WITH ORDINALITY AS p(kind, id, after, before, n)
       ORDER BY p.n`,
      [checks.map((c) => c.subject.kind), checks.map((c) => c.subject.id), checks.map((c) => c.afterSeq), checks.map((c) => c.before)],
    );
    const failed = rows.findIndex((row) => row.seq !== null);
    if (failed < 0) return undefined;
    const { before: _before, ...precondition } = checks[failed]!;
    return new AppendConflictError(precondition, Number(rows[failed]!.seq));
  }

  async readAfter(afterSeq: number, limit: number): Promise<StoredEvent[]> {
    if (limit <= 0) return [];
    const { rows } = await this.#read<PgRow>(`SELECT ${COLUMNS} FROM ${this.#tables.events} WHERE seq > $1 ORDER BY seq LIMIT $2`, [afterSeq, limit]);
    return rows.map(toEvent);
  }

  async bySeqs(seqs: readonly number[]): Promise<StoredEvent[]> {
    if (seqs.length === 0) return [];
    const { rows } = await this.#read<PgRow>(`SELECT ${COLUMNS} FROM ${this.#tables.events} WHERE seq = ANY($1::bigint[]) ORDER BY seq`, [[...new Set(seqs)]]);
    return rows.map(toEvent);
  }

  async bySourceKeys(keys: readonly string[]): Promise<StoredEvent[]> {
    if (keys.length === 0) return [];
    const { rows } = await this.#read<PgRow>(`SELECT ${COLUMNS} FROM ${this.#tables.events} WHERE source_key = ANY($1::text[])`, [[...new Set(keys)]]);
    return rows.map(toEvent);
  }

  async lastSeq(): Promise<number> {
    const { rows } = await this.#read<{ last: string }>(`SELECT coalesce(max(seq), 0) AS last FROM ${this.#tables.events}`, []);
    return Number(rows[0]!.last);
  }

  async #read<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    if (this.#closing) throw new StoreUnavailableError('the event store is closed');
    await this.open();
    try {
      return await this.#pool.query<R>(text, values);
    } catch (error) {
      throw unavailable(error, 'cannot read the PostgreSQL event log');
    }
  }

  onCommit(listener: CommitListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onRemoteCommit(listener: RemoteCommitListener): () => void {
    this.#remoteListeners.add(listener);
    this.#listen();
    return () => {
      this.#remoteListeners.delete(listener);
      if (this.#remoteListeners.size === 0) this.#unlisten();
    };
  }

  #notifyRemote(lastSeq: number): void {
    for (const listener of this.#remoteListeners) {
      try {
        listener(lastSeq);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /** One dedicated connection (LISTEN needs a session); a failure is reported to onError and retried. */
  #listen(): void {
    if (this.#listening || this.#relisten || this.#closing || this.#remoteListeners.size === 0) return;
    const client = new pg.Client({
      connectionString: this.#options.url,
      connectionTimeoutMillis: this.#options.connectTimeoutMs ?? 5_000,
      keepAlive: true,
      application_name: `${this.#options.applicationName ?? 'sygl-event-store'}-listen`,
    });
    let over = false;
    const stop = () => {
      over = true;
      if (this.#listening?.client === client) this.#listening = undefined;
      client.end().catch(() => undefined);
    };
    const fail = (error: Error) => {
      if (over) return;
      stop();
      this.#options.onError?.(error);
      if (this.#closing || this.#remoteListeners.size === 0) return;
      this.#relisten = setTimeout(() => {
        this.#relisten = undefined;
        this.#listen();
      }, RELISTEN_MS);
      this.#relisten.unref();
    };
    this.#listening = { client, stop };
    client.on('error', fail);
    client.on('end', () => fail(new Error('the LISTEN connection to PostgreSQL ended')));
    client.on('notification', (message) => {
      const seq = Number(message.payload);
      if (!over && Number.isSafeInteger(seq)) this.#notifyRemote(seq);
    });
    client
      .connect()
      .then(() => client.query(`LISTEN ${this.#channel}`))
      // Whatever other nodes committed while nobody listened: one look at the log.
      .then(() => this.lastSeq())
      .then(
        (last) => {
          if (!over) this.#notifyRemote(last);
        },
        (error: unknown) => fail(error instanceof Error ? error : new Error(String(error))),
      );
  }

  #unlisten(): void {
    clearTimeout(this.#relisten);
    this.#relisten = undefined;
    this.#listening?.stop();
  }

  /** Refuses new work at once; appends already accepted settle before the pool ends. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#unlisten();
      while (this.#writing) await this.#writing;
      await this.#pool.end();
    })();
    return this.#closing;
  }
}

/** An append's precondition, if it writes anything: a retry answered from its stored events keeps that answer. */
function checkOf(append: Append, plan: AppendPlan): Check[] {
  const first = plan.fresh[0];
  return append.precondition && first ? [{ ...append.precondition, before: first.seq }] : [];
}

function refusal(error: Error): Error {
  return new Error(`append refused by the event log: ${error.message}`, { cause: error });
}
