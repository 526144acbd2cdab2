/**
 * Ingest → client receipt across three nodes on PostgreSQL and Redis against one node on PostgreSQL, in the same run
 * (issue 7 target: the Redis hop adds at most 5 ms at p99). The generator posts to node A only; in the cluster the
 * clients are spread over A, B and C, so B's and C's clients get every event over the hop (A commits, Redis carries
 * the batch, B or C folds and emits it). Servers are pinned to one core, clients and generator to the other.
 *
 *   npx tsx bench/cluster.ts [--quick] [--clients 300] [--rate 20]      (npm run bench -- --only cluster)
 *
 * DATABASE_URL (default the test server) and REDIS_URL (default 127.0.0.1:6379) name the engines; each run uses
 * schemas of its own and drops them. `measureCluster` is exported for bench/run.ts; it never fails on a missed target.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import type { BenchAccess } from './pipeline/access.js';
import { serverNodeFlags, startChild, type Child } from './pipeline/children.js';
import type { PhaseStats } from './pipeline/clients-child.js';
import type { PhaseResult } from './pipeline/generator-child.js';
import { consoleTable } from './pipeline/report.js';
import { fmt, sleep, type Summary } from './pipeline/stats.js';

export const HOP_TARGET_MS = 5;

export interface ClusterPlan {
  url: string;
  redisUrl: string;
  clients: number;
  rate: number;
  warmupSeconds: number;
  measureSeconds: number;
}

export interface ClusterFigures {
  plan: ClusterPlan;
  oneNode: PhaseStats;
  /** Clients on the node that took the intake. */
  sameNode: PhaseStats;
  /** Clients on the other two nodes, one entry per node. */
  otherNodes: PhaseStats[];
  /** Worst other node's p99 − one node's p99. */
  hopP99Ms: number;
  /** Worst other node's p99 − the intake node's p99 in the same phase: the hop without three servers sharing a core. */
  hopSamePhaseP99Ms: number;
}

interface Cores {
  server?: number;
  load?: number;
}

/** Starts `count` server nodes on one log; the first creates the schema, the rest join it. */
async function startNodes(count: number, overrides: Record<string, string | number>, cores: Cores): Promise<Array<{ child: Child; url: string }>> {
  const start = (i: number) => {
    const child = startChild('server-child.ts', `cluster-node-${i}`, cores.server, serverNodeFlags);
    return child.call<{ url: string }>('start', overrides).then(({ url }) => ({ child, url }));
  };
  const first = await start(0);
  const rest = await Promise.all(Array.from({ length: count - 1 }, (_, i) => start(i + 1)));
  return [first, ...rest];
}

/** One measured phase: the generator posts to `ingest`; each entry of `groups` is a client process on one node. */
async function phase(plan: ClusterPlan, ingest: string, groups: Array<{ url: string; clients: number }>, cores: Cores, access: BenchAccess): Promise<PhaseStats[]> {
  const generator = startChild('generator-child.ts', 'cluster-generator', cores.load);
  const clients = groups.map((_, i) => startChild('clients-child.ts', `cluster-clients-${i}`, cores.load));
  try {
    const maxSeq = Math.round(plan.rate * (plan.warmupSeconds + plan.measureSeconds)) + 10;
    await Promise.all(groups.map((g, i) => clients[i]!.call('connect', { url: g.url, clients: g.clients, maxSeq, waitSnapshot: true, cookie: access.cookie }, 300_000)));
    const args = { url: ingest, rate: plan.rate, prefix: `bench-cluster-${randomUUID()}`, answerWaitSeconds: 20, authorization: access.authorization };
    await generator.call('phase', { ...args, seconds: plan.warmupSeconds }, (plan.warmupSeconds + 60) * 1000);
    const result = await generator.call<PhaseResult>('phase', { ...args, seconds: plan.measureSeconds }, (plan.measureSeconds + 60) * 1000);
    const lastSeq = Math.max(0, ...result.acked.map(([seq]) => seq));
    await Promise.all(clients.map((c) => c.call('waitFor', { seq: lastSeq, timeoutMs: 15_000 }, 60_000)));
    const measured = { name: 'measured', acked: result.acked, windowStart: result.windowStart, windowEnd: result.windowEnd };
    const stats = await Promise.all(clients.map((c) => c.call<{ phases: Record<string, PhaseStats> }>('stats', { phases: [measured] }, 120_000)));
    return stats.map((s) => s.phases.measured!);
  } finally {
    await Promise.all([generator.stop(), ...clients.map((c) => c.stop())]);
  }
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export async function measureCluster(plan: ClusterPlan, cores: Cores, log: (s: string) => void): Promise<ClusterFigures> {
  const schemas = [`sygl_bench_${randomUUID().slice(0, 8)}`, `sygl_bench_${randomUUID().slice(0, 8)}`];
  const base = { DATABASE_URL: plan.url, RISK_IDENTITY_KEY: 'cluster-benchmark-identity-key', SESSION_SECRET: 'cluster-benchmark-session-secret-32-chars', LOG_LEVEL: 'warn' };
  try {
    log(`cluster: one node on PostgreSQL, ${plan.clients} clients, ${plan.rate} events/s`);
    const [one] = await startNodes(1, { ...base, DATABASE_SCHEMA: schemas[0]! }, cores);
    let oneNode: PhaseStats;
    try {
      const access = await one!.child.call<BenchAccess>('provision');
      [oneNode] = (await phase(plan, one!.url, [{ url: one!.url, clients: plan.clients }], cores, access)) as [PhaseStats];
    } finally {
      await one!.child.stop();
    }

    log(`cluster: three nodes on PostgreSQL and Redis, ${plan.clients} clients spread over them, intake on node A`);
    const nodes = await startNodes(3, { ...base, DATABASE_SCHEMA: schemas[1]!, REDIS_URL: plan.redisUrl }, cores);
    try {
      await sleep(1_000); // the adapters subscribe
      const per = Math.round(plan.clients / 3);
      const access = await nodes[0]!.child.call<BenchAccess>('provision');
      const [sameNode, ...otherNodes] = await phase(plan, nodes[0]!.url, nodes.map((n) => ({ url: n.url, clients: per })), cores, access);
      const hopP99Ms = Math.max(...otherNodes.map((s) => s.latencyMs.p99)) - oneNode.latencyMs.p99;
      const hopSamePhaseP99Ms = Math.max(...otherNodes.map((s) => s.latencyMs.p99)) - sameNode!.latencyMs.p99;
      return { plan, oneNode, sameNode: sameNode!, otherNodes, hopP99Ms, hopSamePhaseP99Ms };
    } finally {
      await Promise.all(nodes.map((n) => n.child.stop()));
    }
  } finally {
    for (const schema of schemas) await dropSchema(plan.url, schema).catch(() => undefined);
  }
}

export function clusterTable(f: ClusterFigures): string {
  const row = (name: string, s: PhaseStats) => {
    const l: Summary = s.latencyMs;
    return [name, fmt(l.p50), fmt(l.p95), fmt(l.p99), fmt(l.max), `${s.lost}`, `${s.duplicates}`];
  };
  const rows = [
    row(`one node (${f.plan.clients} clients)`, f.oneNode),
    row('3 nodes: clients on the intake node', f.sameNode),
    ...f.otherNodes.map((s, i) => row(`3 nodes: clients on node ${'BC'[i]} (Redis hop)`, s)),
  ];
  const head = ['latency ms', 'p50', 'p95', 'p99', 'max', 'lost', 'dup'];
  const signed = (ms: number) => `${ms >= 0 ? '+' : ''}${fmt(ms)} ms`;
  const verdict = [
    `Redis hop at p99 over one node: ${signed(f.hopP99Ms)} (target ≤ ${HOP_TARGET_MS} ms): ${f.hopP99Ms <= HOP_TARGET_MS ? 'met' : 'NOT met'}`,
    `Redis hop at p99 over the intake node's own clients, same phase: ${signed(f.hopSamePhaseP99Ms)}`,
  ];
  return [consoleTable(rows, head), ...verdict].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const argv = process.argv.slice(2);
  const option = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const t0 = performance.now();
  const log = (s: string) => console.log(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${s}`);
  const figures = await measureCluster(
    {
      url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
      redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      clients: Number(option('--clients') ?? 300),
      rate: Number(option('--rate') ?? 20),
      warmupSeconds: quick ? 2 : 5,
      measureSeconds: quick ? 8 : 30,
    },
    { server: 0, load: 1 },
    log,
  );
  console.log(`\n${clusterTable(figures)}\n`);
}
