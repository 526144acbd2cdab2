/**
 * Where a server's time went, from a V8 CPU profile (`npm run bench -- --only latency --rates 20 --no-write
 * --cpu-prof DIR` writes one per server process and thread; the main thread's file has `.0.001.` in its name):
 *
 *   npx tsx bench/profile-summary.ts DIR/CPU….0.001.cpuprofile [--window 33,3] [--top 25]
 *
 * `--window A,B` keeps the samples from A s to B s before the profile's end (the measured phase: the server is
 * stopped a few seconds after it, and start-up and the clients' connections come before). Prints the busy time
 * (samples not idle), each sample attributed to the innermost frame that belongs to one of the groups below (Node's
 * own frames are looked through to the code that called them), then the functions with the most self time.
 * Sampling is by wall clock: time the thread spent descheduled (another thread or program on its core) lands on
 * whatever frame it was in, so on a busy machine read the shares, not the milliseconds.
 */
import fs from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Groups, first match wins, tested against "functionName url" of each frame from the leaf outwards. */
const GROUPS: Array<[string, RegExp]> = [
  ['socket fan-out (socket.io, engine.io, ws, socket writes)', /socket\.io|engine\.io|\/ws\//],
  ['HTTP and middleware (express, compression, helmet, metrics, access, body)', /express|router|compression|helmet|ops\/metrics|prom-client|pino|guard\.ts|authenticator|session-token|same-origin|rate-limit|body-parser|raw-body|_http_/],
  ['intake (schemas, decisions)', /zod|server\/ingest|domain\/intake|api\/events/],
  ['event log (store, writer messages)', /server\/store\//],
  ['fold and publish (projections, risk, publisher, notices, heartbeat)', /projections|case-index|wall-state|leader-stats|domain\/risk|risk-service|realtime\/|log-follower|shared\/events/],
  ['garbage collector', /^\(garbage collector\)/],
  ['bare baseline server', /bench\/pipeline\/bare-server/],
];

const argv = process.argv.slice(2);
const file = argv.find((a) => !a.startsWith('--') && !/^\d/.test(a));
const option = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
if (!file) {
  console.error('usage: npx tsx bench/profile-summary.ts FILE.cpuprofile [--window FROM_END_S,TO_END_S] [--top N]');
  process.exit(2);
}
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

let t = profile.startTime;
const times = profile.timeDeltas.map((d) => (t += d));
const end = times[times.length - 1] ?? 0;
const [fromEnd, toEnd] = (option('--window') ?? '').split(',').map(Number);
const kept = (i: number) => fromEnd === undefined || toEnd === undefined || !Number.isFinite(fromEnd) || (times[i]! >= end - fromEnd * 1e6 && times[i]! <= end - toEnd * 1e6);

const short = (url: string) => url.replace(/^file:\/\//, '').replace(/.*node_modules\//, '').replace(/.*?\/(server|shared|bench)\//, '$1/');
let busy = 0;
let span = 0;
const groups = new Map<string, number>(GROUPS.map(([name]) => [name, 0]));
const self = new Map<string, number>();
for (let i = 0; i < profile.samples.length; i++) {
  if (!kept(i)) continue;
  const dt = profile.timeDeltas[i] ?? 0;
  span += dt;
  const leaf = byId.get(profile.samples[i]!)!;
  if (leaf.callFrame.functionName === '(idle)') continue;
  busy += dt;
  const key = `${leaf.callFrame.functionName || '(anonymous)'} ${short(leaf.callFrame.url)}${leaf.callFrame.url ? `:${leaf.callFrame.lineNumber + 1}` : ''}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
    const frame = byId.get(id)!.callFrame;
    const group = GROUPS.find(([, pattern]) => pattern.test(`${frame.functionName} ${frame.url}`));
    if (group) {
      groups.set(group[0], groups.get(group[0])! + dt);
      break;
    }
    // Node's own frames (and native ones) are looked through; any other code not in a group ends the search.
    if (frame.url && !frame.url.startsWith('node:')) break;
  }
}
const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)} %`;
console.log(`${file}\nspan ${(span / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(2)} s (${((busy / span) * 100).toFixed(0)} % of the span)\n`);
console.log('by part (ms, share of busy):');
let grouped = 0;
for (const [name, us] of groups) {
  grouped += us;
  if (us > 0) console.log(`${ms(us)} ${pct(us)}  ${name}`);
}
console.log(`${ms(busy - grouped)} ${pct(busy - grouped)}  other\n`);
console.log('most self time:');
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(option('--top') ?? 25))) console.log(`${ms(us)} ${pct(us)}  ${key}`);
