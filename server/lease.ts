/**
 * Who does the cluster's time-based work (overdue timers, the risk sweep): the node holding the lease (issue 7).
 * On PostgreSQL the lease is a session advisory lock (pg_try_advisory_lock) held by one dedicated connection: the
 * lock lives exactly as long as that session, so when its node dies, or is cut off, PostgreSQL ends the session
 * and another node takes the lease on its next try. One node alone (SQLite) always holds it.
 */
import pg from 'pg';
import type { Logger } from './log.js';

export interface Lease {
  /** Whether this node holds the lease now, taking it if free. Never rejects: unreachable means not held. */
  hold(): Promise<boolean>;
  /** Whether it held the lease at the last check. */
  readonly held: boolean;
  close(): Promise<void>;
}

/** The lease of a node that runs alone. */
export const soleLease: Lease = {
  hold: () => Promise.resolve(true),
  held: true,
  close: () => Promise.resolve(),
};

/** Advisory lock class id of the lease: 'SGLl' in ASCII, next to the store's 'SGLa' (append) and 'SGLd' (DDL). */
export const LEASE_LOCK_CLASS = 0x53474c6c;

export interface PgLeaseOptions {
  url: string;
  /** The lock's object id: the log's, so every node on the same log contends for the same lease. */
  objectId: number;
  /** Shown in pg_stat_activity: which node holds the lease. */
  applicationName: string;
  log: Logger;
  connectTimeoutMs?: number;
}

export class PgLease implements Lease {
  #client: pg.Client | undefined;
  #held = false;
  #checking: Promise<boolean> | undefined;
  #closed = false;

  constructor(private readonly options: PgLeaseOptions) {}

  get held(): boolean {
    return this.#held;
  }

  /** Concurrent calls share one check. */
  hold(): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    this.#checking ??= this.#check().finally(() => (this.#checking = undefined));
    return this.#checking;
  }

  async #check(): Promise<boolean> {
    try {
      const client = this.#client ?? (await this.#connect());
      if (this.#held) {
        // The lock is the session's: a live session still holds it.
        await client.query('SELECT 1');
        return true;
      }
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [LEASE_LOCK_CLASS, this.options.objectId]);
      this.#held = rows[0]!.ok;
      if (this.#held) this.options.log.info({ node: this.options.applicationName }, 'holding the lease: this node runs the timers and the risk sweep');
      return this.#held;
    } catch (error) {
      this.#lost(error);
      return false;
    }
  }

  async #connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.options.url,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 5_000,
      keepAlive: true,
      query_timeout: 10_000,
      application_name: this.options.applicationName,
    });
    client.on('error', (error) => {
      if (this.#client === client) this.#lost(error);
    });
    client.on('end', () => {
      if (this.#client === client) this.#lost(new Error('the lease connection ended'));
    });
    this.#client = client;
    try {
      await client.connect();
    } catch (error) {
      this.#lost(error);
      throw error;
    }
    return client;
  }

  /** The session is gone or in doubt: drop it, and with it the lock (PostgreSQL releases it when the session ends). */
  #lost(error: unknown): void {
    const client = this.#client;
    this.#client = undefined;
    if (this.#held) this.options.log.warn({ err: error, node: this.options.applicationName }, 'lost the lease');
    this.#held = false;
    client?.end().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#checking?.catch(() => undefined);
    const client = this.#client;
    this.#client = undefined;
    this.#held = false;
    await client?.end().catch(() => undefined);
  }
}
