/**
 * The SQLite writer, run in a worker thread: with synchronous=FULL every commit waits for fsync (and now and
 * then a WAL checkpoint), and better-sqlite3 waits synchronously. Off the main thread, that wait no longer holds
 * up the sockets of a thousand wall clients.
 *
 * One message is one group commit: a list of appends, each all-or-nothing (a savepoint), in one transaction. An
 * append's precondition is checked after its rows went in, inside its savepoint, against everything before them:
 * the log and the appends ahead of it in this group, so one that fails rolls back alone.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { AppendPrecondition, EventSubject } from './event-store.js';
import { aboutSql } from './subjects.js';

export interface DraftRow {
  id: string;
  type: string;
  sourceKey: string | null;
  data: string;
}

export interface StoredRow {
  seq: number;
  id: string;
  at: string;
  type: string;
  source_key: string | null;
  data: string;
}

export type AppendReply =
  | { ok: true; outcomes: Array<{ seq: number; duplicate: false } | { duplicate: true; row: StoredRow }> }
  | { ok: false; message: string }
  /** The precondition failed: `conflict` is the latest event about its subject. */
  | { ok: false; conflict: number };

export interface AppendRequest {
  rows: DraftRow[];
  precondition?: AppendPrecondition;
}

export interface CommitRequest {
  id: number;
  at: string;
  appends: AppendRequest[];
}

/** Thrown inside an append's savepoint to roll it back. */
class Conflict extends Error {
  constructor(readonly seq: number) {
    super(`conflict at seq ${seq}`);
  }
}

export type CommitReply = { id: number; replies: AppendReply[] } | { id: number; failed: string };

function main(): void {
  const { file } = workerData as { file: string };
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  // The unique indexes of a long log outgrow the 2 MB default page cache.
  db.pragma('cache_size = -65536');
  // The duplicate check is folded into the insert; the stored row is read only when the key was taken.
  const insert = db.prepare('INSERT INTO events (seq, id, at, type, source_key, data) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source_key) DO NOTHING');
  const byKey = db.prepare<[string], StoredRow>('SELECT * FROM events WHERE source_key = ?');
  const laterAbout = (kind: EventSubject['kind']) =>
    db.prepare<[number, number, string], { seq: number | null }>(`SELECT max(seq) AS seq FROM events WHERE seq > ? AND seq < ? AND ${aboutSql(kind, '?')}`);
  const later = { case: laterAbout('case'), alert: laterAbout('alert') };
  let lastSeq = (db.prepare('SELECT coalesce(max(seq), 0) AS s FROM events').get() as { s: number }).s;

  const appendOne = db.transaction(({ rows, precondition }: AppendRequest, at: string): AppendReply => {
    const first = lastSeq + 1;
    const outcomes: Extract<AppendReply, { ok: true }>['outcomes'] = [];
    for (const row of rows) {
      if (insert.run(lastSeq + 1, row.id, at, row.type, row.sourceKey, row.data).changes === 0) {
        outcomes.push({ duplicate: true, row: byKey.get(row.sourceKey!)! });
        continue;
      }
      lastSeq += 1;
      outcomes.push({ seq: lastSeq, duplicate: false });
    }
    // Only an append that wrote something can conflict: a retry answered from its stored events keeps that answer.
    if (precondition && lastSeq >= first) {
      const { subject, afterSeq } = precondition;
      const { seq } = later[subject.kind].get(afterSeq, first, subject.id)!;
      if (seq !== null) throw new Conflict(seq);
    }
    return { ok: true, outcomes };
  });

  parentPort!.on('message', (request: CommitRequest | 'close') => {
    if (request === 'close') {
      db.close();
      parentPort!.close();
      return;
    }
    const committed = lastSeq;
    const replies: AppendReply[] = [];
    try {
      db.transaction(() => {
        for (const append of request.appends) {
          const before = lastSeq;
          try {
            replies.push(appendOne(append, request.at));
          } catch (error) {
            lastSeq = before;
            replies.push(error instanceof Conflict ? { ok: false, conflict: error.seq } : { ok: false, message: (error as Error).message });
          }
        }
      })();
      parentPort!.postMessage({ id: request.id, replies } satisfies CommitReply);
    } catch (error) {
      lastSeq = committed;
      parentPort!.postMessage({ id: request.id, failed: (error as Error).message } satisfies CommitReply);
    }
  });
}

if (parentPort) main();
