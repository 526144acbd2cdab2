/** Server nodes on PostgreSQL, each in its own process (pg-child.ts), that a test can command over stdin and kill. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, vi } from 'vitest';
import type { PublicEvent } from '../../shared/events.js';
import { caseReported } from './factories.js';
import { sql } from './pg-env.js';
import { post, RecordingClient } from './server.js';

export interface Node {
  child: ChildProcess;
  url: string;
  pid: number;
  /** Its DATA_DIR (keys and the projection snapshot; the log is in PostgreSQL). */
  dataDir: string;
  /** Sends a command to the node and resolves with its answer. */
  send<R = Record<string, unknown>>(command: { cmd: 'advance'; ms: number } | { cmd: 'sweep' } | { cmd: 'lease' }): Promise<R>;
  alive(): boolean;
}

const spawned: ChildProcess[] = [];

/** Kills every node still running (afterEach/afterAll: a failing test must not leave servers behind). */
export function killNodes(): void {
  for (const child of spawned.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export const RISK_IDENTITY_KEY = 'multi-node-test-identity-key';

export async function startNode(env: { DATABASE_URL: string; DATABASE_SCHEMA: string; [setting: string]: string | undefined }): Promise<Node> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-node-'));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'pg-child.ts'), dataDir], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...env, RISK_IDENTITY_KEY },
  });
  spawned.push(child);
  const waiting = new Map<number, (reply: Record<string, unknown>) => void>();
  let nextId = 1;
  let out = '';
  const started = new Promise<{ url: string; pid: number }>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      let newline: number;
      while ((newline = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, newline);
        out = out.slice(newline + 1);
        if (!line.startsWith('{')) continue;
        const message = JSON.parse(line) as Record<string, unknown>;
        if ('url' in message) resolve(message as { url: string; pid: number });
        else if (typeof message.id === 'number') {
          waiting.get(message.id)?.(message);
          waiting.delete(message.id);
        }
      }
    });
    child.once('exit', (code, signal) => reject(new Error(`node exited early with ${code ?? signal}`)));
  });
  const { url, pid } = await started;
  return {
    child,
    url,
    pid,
    dataDir,
    alive: () => child.exitCode === null && child.signalCode === null,
    send<R>(command: object) {
      const id = nextId++;
      return new Promise<R>((resolve, reject) => {
        waiting.set(id, resolve as (reply: Record<string, unknown>) => void);
        child.stdin!.write(`${JSON.stringify({ id, ...command })}\n`, (error) => error && reject(error));
      });
    },
  };
}

export async function readySeq(url: string): Promise<number> {
  return ((await (await fetch(`${url}/readyz`)).json()) as { seq: number }).seq;
}

/** A RecordingClient that also keeps every seq it was sent, repeats included, to prove each arrives once. */
export class CountingClient extends RecordingClient {
  readonly received: number[] = [];

  constructor(url: string, options: { lastSeq?: number } = {}) {
    super(url, options);
    this.socket.on('events', (batch) => this.received.push(...batch.map((e) => e.seq)));
  }
}

/** The log as PostgreSQL holds it: seq and id, in seq order. */
export async function logOf(schema: string): Promise<Array<{ seq: number; id: string; type: string }>> {
  const rows = await sql<{ seq: string; id: string; type: string }>(`SELECT seq, id, type FROM "${schema}".events ORDER BY seq`);
  return rows.map((r) => ({ seq: Number(r.seq), id: r.id, type: r.type }));
}

/** Waits until every live node has applied the whole log and returns its last seq. */
export async function settle(schema: string, nodes: Node[]): Promise<number> {
  let last = 0;
  await vi.waitFor(
    async () => {
      const log = await logOf(schema);
      last = log.at(-1)?.seq ?? 0;
      expect(await Promise.all(nodes.filter((n) => n.alive()).map((n) => readySeq(n.url)))).toEqual(nodes.filter((n) => n.alive()).map(() => last));
    },
    { timeout: 60_000, interval: 100 },
  );
  return last;
}

/** Posts `rounds` batches of `size` new cases to a node, one after another; returns how many were acknowledged. */
export async function writer(node: Node, rounds: number, size: number): Promise<number> {
  let acked = 0;
  for (let i = 0; i < rounds; i++) {
    const res = await post(node, { events: Array.from({ length: size }, () => caseReported()) });
    expect(res.status).toBe(201);
    acked += size;
  }
  return acked;
}

/** What a client applied is exactly the log, in order: the same ids at the same seqs, nothing twice. */
export function expectLog(events: readonly PublicEvent[], log: ReadonlyArray<{ seq: number; id: string }>, fromSeq = 0) {
  expect(events.map((e) => [e.seq, e.id])).toEqual(log.filter((e) => e.seq > fromSeq).map((e) => [e.seq, e.id]));
}

/**
 * What a wall client applied, from its first snapshot on (`events`: its own, or its own and its successor's after a
 * move), is exactly the log after that snapshot; and the snapshot came before any case: only sign-ins' access events
 * are in it.
 */
export function expectStream(first: RecordingClient, events: readonly PublicEvent[], log: ReadonlyArray<{ seq: number; id: string; type: string }>) {
  const from = first.snapshots[0]?.state.seq ?? 0;
  expect(log.filter((e) => e.seq <= from && !e.type.startsWith('access.'))).toEqual([]);
  // What reached the client before its first snapshot (a sign-in's access event, now and then) is superseded by it, as
  // the wall's delta queue drops it too; it must still be the log's own event.
  const seqs = new Map(log.map((e) => [e.seq, e.id]));
  for (const e of events.filter((e) => e.seq <= from)) expect([e.seq, e.id]).toEqual([e.seq, seqs.get(e.seq)]);
  expectLog(
    events.filter((e) => e.seq > from),
    log,
    from,
  );
}

/** The log without access events (users, kiosks, keys made by the tests' sign-ins). */
export const withoutAccess = <E extends { type: string }>(log: readonly E[]): E[] => log.filter((e) => !e.type.startsWith('access.'));

export function expectEachOnce(received: readonly number[]) {
  expect(received).toEqual([...new Set(received)].sort((a, b) => a - b));
}

export interface Readiness {
  seq: number;
  redis?: { ready: boolean; sent: number; heard: number; skipped: number };
}

export async function readiness(url: string): Promise<Readiness> {
  return (await (await fetch(`${url}/readyz`)).json()) as Readiness;
}

/**
 * Two walls on node C; writes go on on A and B while C is killed with -9 mid-stream; the walls reconnect to B with
 * their last seq and must miss nothing and get nothing twice (no snapshot either). Resolves with the log's last seq.
 */
export async function killNodeUnderWalls(schema: string, nodes: Node[], client: (url: string, options?: { lastSeq?: number }) => CountingClient): Promise<number> {
  const [a, b, c] = nodes as [Node, Node, Node];
  const onC = [client(c.url), client(c.url)];
  await Promise.all(onC.map((w) => w.connected()));
  await writer(a, 2, 5);
  const start = await readySeq(a.url);
  await Promise.all(onC.map((w) => w.until(start)));

  const writing = Promise.all([writer(a, 10, 5), writer(b, 10, 5)]);
  await vi.waitFor(async () => expect(await readySeq(c.url)).toBeGreaterThan(start + 20), { timeout: 60_000, interval: 20 });
  c.child.kill('SIGKILL');
  await writing;

  const moved = onC.map((old) => ({ old, now: client(b.url, { lastSeq: old.lastSeq }) }));
  // Signing the new clients in writes a kiosk to the log: done before the log is read.
  await Promise.all(moved.map(({ now }) => now.connected()));
  const last = await settle(schema, nodes);
  const log = await logOf(schema);
  expect(withoutAccess(log)).toHaveLength(110);
  for (const { old, now } of moved) {
    await now.until(last);
    expect(now.snapshots).toEqual([]);
    expectStream(old, [...old.events, ...now.events], log);
    expectEachOnce([...old.received, ...now.received]);
  }
  return last;
}
