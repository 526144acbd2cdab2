/**
 * Risk rules benchmark (issue 5: "replay of 1,000,000 events with rules on versus off: rules may add at most 100 %").
 * Generates N realistic stored events in memory — cases with parties, petitions with ID numbers (some by repeat
 * petitioners, some above the district), collective cases, employers with many cases, bursts that spike, resolutions
 * (half through the dispatch loop), follow-ups, outside alerts — and runs the rules once over them as the live
 * server would, so the log also holds the alert events they decided (and the hourly sweeps' stale and auto-close
 * events). Then it times the replay of that log through `Projections` (pages of 20,000) with rules off, and the
 * same plus `engine.apply(event)` per event with rules on, twice each, alternating. It never fails on the target.
 *
 * Usage: npx tsx bench/risk.ts [--events 1000000] [--seed 1]
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import type { Actor } from '../shared/dispatch.js';
import type { CaseContext, CaseReportedData, EventDraft, Party, StoredEvent } from '../shared/events.js';
import type { PetitionLevel } from '../shared/vocabulary.js';
import { RiskEngine, type RiskEngineOptions } from '../server/domain/risk/engine.js';
import { loadDistrictData } from '../server/district-data.js';
import { Projections } from '../server/projections.js';
import { loadRiskSettings } from '../server/risk-data.js';

export interface RiskReplayOptions {
  events?: number;
  seed?: number;
  /** Timed replays per mode, alternating off/on. */
  rounds?: number;
  log?: (line: string) => void;
}

export interface Figures {
  events: number;
  /** Alert events in the log that the rules decided while it was generated. */
  ruleAlertEvents: number;
  alertsRaised: number;
  alertsUpdated: number;
  alertsAutoClosed: number;
  byRule: Record<string, number>;
  offMs: number[];
  onMs: number[];
  /** CPU time of the process per run (user + system): steadier than wall time on a shared machine. */
  offCpuMs: number[];
  onCpuMs: number[];
  /** on / off by CPU time (best of each). */
  cpuRatio: number;
  /** Best of each mode, wall time. */
  offUsPerEvent: number;
  onUsPerEvent: number;
  /** on / off (best of each); the target is ≤ 2 (rules add at most 100 %). */
  ratio: number;
  /** Retained heap after the replay (MB): projections alone, and what the engine adds. */
  projectionsHeapMb: number;
  engineHeapMb: number;
  generateSeconds: number;
}

const PAGE = 20_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** About 16,700 events a day: 1,000,000 events make 60 days, long enough for every baseline and window. */
const EVENTS_PER_DAY = 16_667;

/** A full collection before and after each run, so the heap figures are what the folds retain (no --expose-gc needed). */
let collect: (() => void) | undefined;
function gc(): void {
  if (!collect) {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  collect();
}

/** mulberry32: a small seeded PRNG, so the same seed gives the same log. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
/** Wide enough that two unrelated respondents rarely share a name within a month, as in a real district's mix. */
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建红梅琳晨浩宇欣怡子轩梓涵俊博文雅婷嘉诚思远志国海燕春雷晓东翔凯';
const EMPLOYERS = ['电子厂', '五金厂', '塑胶制品有限公司', '建筑劳务有限公司', '物流有限公司', '餐饮管理有限公司', '物业服务有限公司', '科技有限公司'];

export function buildLog(total: number, seed: number): StoredEvent[] {
  const rnd = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const district = loadDistrictData('longgang');
  const communities = district.info.communities;
  const categories = district.categories.map((c) => c.code);
  const surnames = [...SURNAMES];
  const given = [...GIVEN];
  const name = () => pick(surnames) + pick(given) + pick(given);
  const idNumber = (n: number) => `4403${String(1960 + (n % 40))}${String(100000 + (n % 900000)).padStart(6, '0')}${n % 11 === 10 ? 'X' : n % 10}`.padEnd(18, '7');
  const phone = () => `1${int(30, 89)}${String(int(0, 99_999_999)).padStart(8, '0')}`;
  const employer = (i: number) => `深圳市${['龙岗区', '坂田', '布吉', '横岗'][i % 4]}${i}号${EMPLOYERS[i % EMPLOYERS.length]}`;
  const petitioners = Array.from({ length: 3000 }, (_, i) => ({ name: name(), phone: phone(), idNumber: idNumber(i * 7919 + 13) }));
  const duty: Actor = { role: 'duty', id: 'officer' };

  const t0 = Date.UTC(2026, 2, 20);
  const log: StoredEvent[] = [];
  /** What happens at a later index: a case resolved, an alert acknowledged or closed by the duty desk. */
  const later = new Map<number, Array<(at: number) => void>>();
  const schedule = (index: number, what: (at: number) => void) => {
    const list = later.get(index);
    if (list) list.push(what);
    else later.set(index, [what]);
  };
  const spanMs = (total / EVENTS_PER_DAY) * DAY;
  let caseNo = 0;
  let burst: { community: (typeof communities)[number]; category: string; left: number } | undefined;

  const settings = loadRiskSettings(categories);
  let n = 0;
  const engine = new RiskEngine({ rules: settings.rules, periods: settings.periods, tzOffsetMinutes: 480, identityKey: 'bench-identity-key-0123456789', newId: () => `r${++n}` });
  let lastSweepHour = 0;
  let cursor = 0;
  const push = (type: StoredEvent['type'], data: unknown, at: number, sourceKey?: string) => {
    const event = { seq: log.length + 1, id: `e${log.length + 1}`, at: new Date(at).toISOString(), type, data, ...(sourceKey && { sourceKey }) } as StoredEvent;
    log.push(event);
    for (const d of engine.apply(event)) commit(d, at);
  };
  const commit = (d: EventDraft, at: number) => {
    push(d.type, d.data, at, d.sourceKey);
    // The duty desk acknowledges most rule alerts within the hour or so, and closes most of those later.
    if (d.type !== 'alert.raised' || rnd() > 0.7) return;
    const { alertId, streetCode, communityCode } = d.data;
    const where = { streetCode, ...(communityCode && { communityCode }) };
    const ackAt = log.length + int(20, 2000);
    schedule(ackAt, (t) => {
      if (engine.alerts.get(alertId)?.status !== 'raised') return;
      push('alert.acknowledged', { alertId, actor: duty, at: new Date(t).toISOString(), ...where }, t);
      if (rnd() < 0.8)
        schedule(log.length + int(100, 20_000), (t2) => {
          if (engine.alerts.get(alertId)?.status === 'acknowledged') push('alert.closed', { alertId, actor: duty, at: new Date(t2).toISOString(), note: '已核实处置', ...where }, t2);
        });
    });
  };

  while (log.length < total) {
    const i = log.length;
    const at = t0 + (i / total) * spanMs;
    const hour = Math.floor(at / HOUR);
    if (hour > lastSweepHour) {
      lastSweepHour = hour;
      for (const d of engine.sweep(at)) commit(d, at);
    }
    // Several events may be pushed in one turn, so run everything due up to here, not only at this index.
    for (; cursor <= i; cursor++) {
      const due = later.get(cursor);
      if (!due) continue;
      later.delete(cursor);
      for (const what of due) what(at);
    }
    if (log.length > i) continue;
    const r = rnd();
    if (r < 0.001) {
      const c = pick(communities);
      push('alert.raised', { alertId: `ext-${i}`, source: 'police', level: pick(['red', 'orange', 'yellow'] as const), title: '人员聚集风险', streetCode: c.streetCode, communityCode: c.code, raisedAt: new Date(at).toISOString() }, at);
      continue;
    }
    if (!burst && rnd() < 1 / 20_000) burst = { community: pick(communities), category: pick(categories), left: int(12, 25) };
    const b = burst !== undefined && rnd() < 0.05 ? burst : undefined;
    if (b && --b.left === 0) burst = undefined;
    const c = b ? b.community : pick(communities);
    const category = b ? b.category : pick(categories);
    const kindRoll = rnd();
    const repeat = kindRoll < 0.025;
    const petition = repeat || kindRoll < 0.115;
    const collective = !petition && rnd() < 0.03;
    const applicant: Party = repeat ? { role: 'applicant', ...pick(petitioners) } : { role: 'applicant', name: name(), phone: phone(), idNumber: idNumber(int(0, 1e9)) };
    const parties: Party[] = [applicant];
    const respondentRoll = rnd();
    if (respondentRoll < 0.03) parties.push({ role: 'respondent', name: employer(int(0, 1999)) });
    else if (respondentRoll < 0.5) parties.push({ role: 'respondent', name: name() });
    const level: PetitionLevel | undefined = petition ? (rnd() < 0.7 ? undefined : pick(['street', 'street', 'street', 'city', 'city', 'province', 'national'] as const)) : undefined;
    const severity = collective ? int(4, 5) : int(1, 5);
    const reportedAt = rnd() < 0.02 ? at - int(1, 48) * HOUR : at;
    const data: CaseReportedData = {
      caseId: `c${++caseNo}`,
      kind: petition ? 'petition' : 'dispute',
      category,
      streetCode: c.streetCode,
      communityCode: c.code,
      severity,
      peopleInvolved: collective ? int(10, 80) : int(1, 5),
      weight: severity * 1.2,
      reportedAt: new Date(reportedAt).toISOString(),
      source: petition ? 'walkin' : 'hotline',
      title: '某小区业主与物业服务纠纷',
      description: '当事人反映相关问题，要求协调处理。',
      parties,
      ...(level && { petitionLevel: level }),
    };
    push('case.reported', data, at);
    // 98 % of cases are closed later: most within hours, some after days (stale ones for the sweep).
    if (rnd() < 0.98) {
      const { caseId, kind, streetCode, communityCode, peopleInvolved, weight } = data;
      const ctx: CaseContext = { caseId, kind, category: data.category, streetCode, communityCode, severity, peopleInvolved, weight, reportedAt: data.reportedAt };
      schedule(i + (rnd() < 0.9 ? int(50, 6000) : int(6000, 60_000)), (t) => resolve(ctx, t));
    }
  }
  return log.slice(0, total);

  function resolve(ctx: CaseContext, at: number): void {
    const iso = new Date(at).toISOString();
    if (rnd() < 0.5) {
      const whistleId = `w${ctx.caseId}`;
      const lead: Actor = { role: 'dept', id: 'labour', deptId: 'labour' };
      const due = { reportDueAt: iso, reportEscalateAt: iso, resolveDueAt: iso, resolveEscalateAt: iso };
      push('case.triaged', { case: ctx, actor: duty, at: iso, tier: 'community', channel: 'people' }, at);
      push('case.whistled', { case: ctx, actor: duty, at: iso, whistleId, urgency: 'normal', tier: 'community', assignments: [{ deptId: 'labour', role: 'lead', ...due }, { deptId: 'street', role: 'assist', ...due }] }, at);
      push('whistle.reportedIn', { case: ctx, actor: lead, at: iso, whistleId, deptId: 'labour', role: 'lead', late: false }, at);
      push('case.resolved', { case: ctx, actor: lead, outcome: 'mediated', resolvedAt: iso, whistleId, deptId: 'labour', tier: 'community', late: false }, at);
    } else {
      push('case.resolved', { case: ctx, source: 'hotline', outcome: 'mediated', resolvedAt: iso }, at);
    }
    if (rnd() < 0.3) push('case.followedUp', { case: ctx, actor: duty, at: iso, satisfaction: rnd() < 0.05 ? 1 : 5, reopened: false }, at);
  }
}

export function engineOptions(): RiskEngineOptions {
  const district = loadDistrictData('longgang');
  const settings = loadRiskSettings(district.categories.map((c) => c.code));
  let n = 0;
  return {
    rules: settings.rules,
    periods: settings.periods,
    tzOffsetMinutes: 480,
    identityKey: 'bench-identity-key-0123456789',
    newId: () => `x${++n}`,
    names: { area: (code) => district.community(code)?.name ?? district.street(code)?.name, category: (code) => district.category(code)?.name.zh },
  };
}

/** One timed replay; returns the time and the heap the folds retain. */
function replay(log: readonly StoredEvent[], rules: boolean): { ms: number; cpuMs: number; heap: number } {
  gc();
  const before = process.memoryUsage().heapUsed;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const projections = new Projections({ tzOffsetMinutes: 480, halfLifeHours: 24 });
  const engine = rules ? new RiskEngine(engineOptions()) : undefined;
  for (let i = 0; i < log.length; i += PAGE) {
    const page = log.slice(i, i + PAGE);
    projections.apply(page);
    if (engine) for (const event of page) engine.apply(event);
  }
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  gc();
  const heap = process.memoryUsage().heapUsed - before;
  // Keep both alive until measured.
  if (projections.seq !== log.length || (engine && engine.seq !== log.length)) throw new Error('replay did not reach the end of the log');
  return { ms, cpuMs: (used.user + used.system) / 1000, heap };
}

export async function measureRiskReplay(options: RiskReplayOptions = {}): Promise<Figures> {
  const total = options.events ?? 1_000_000;
  const rounds = options.rounds ?? 2;
  const say = options.log ?? (() => {});
  const started = performance.now();
  say(`generating ${total.toLocaleString('en')} events (rules run once to write their alerts into the log)…`);
  const log = buildLog(total, options.seed ?? 1);
  const generateSeconds = (performance.now() - started) / 1000;
  const byRule: Record<string, number> = {};
  let raised = 0;
  let updated = 0;
  let autoClosed = 0;
  for (const e of log) {
    if (e.type === 'alert.raised' && e.data.rule) {
      raised++;
      byRule[e.data.rule] = (byRule[e.data.rule] ?? 0) + 1;
    } else if (e.type === 'alert.updated') updated++;
    else if (e.type === 'alert.closed' && e.data.auto) autoClosed++;
  }
  const offMs: number[] = [];
  const onMs: number[] = [];
  const offCpuMs: number[] = [];
  const onCpuMs: number[] = [];
  let offHeap = 0;
  let onHeap = 0;
  for (let r = 0; r < rounds; r++) {
    const off = replay(log, false);
    offMs.push(off.ms);
    offCpuMs.push(off.cpuMs);
    offHeap = off.heap;
    say(`rules off, run ${r + 1}: ${off.ms.toFixed(0)} ms (CPU ${off.cpuMs.toFixed(0)} ms)`);
    const on = replay(log, true);
    onMs.push(on.ms);
    onCpuMs.push(on.cpuMs);
    onHeap = on.heap;
    say(`rules on,  run ${r + 1}: ${on.ms.toFixed(0)} ms (CPU ${on.cpuMs.toFixed(0)} ms)`);
  }
  const bestOff = Math.min(...offMs);
  const bestOn = Math.min(...onMs);
  return {
    events: log.length,
    ruleAlertEvents: raised + updated + autoClosed,
    alertsRaised: raised,
    alertsUpdated: updated,
    alertsAutoClosed: autoClosed,
    byRule,
    offMs,
    onMs,
    offCpuMs,
    onCpuMs,
    cpuRatio: Math.min(...onCpuMs) / Math.min(...offCpuMs),
    offUsPerEvent: (bestOff * 1000) / log.length,
    onUsPerEvent: (bestOn * 1000) / log.length,
    ratio: bestOn / bestOff,
    projectionsHeapMb: offHeap / 1e6,
    engineHeapMb: (onHeap - offHeap) / 1e6,
    generateSeconds,
  };
}

function main(): Promise<void> {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const log = (s: string) => console.log(s);
  return measureRiskReplay({ events: arg('--events'), seed: arg('--seed'), log }).then((f) => {
    const ms = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' / ');
    console.table({
      events: { value: f.events.toLocaleString('en') },
      'rule alert events in the log': { value: `${f.ruleAlertEvents} (raised ${f.alertsRaised}, updated ${f.alertsUpdated}, auto-closed ${f.alertsAutoClosed})` },
      'raised by rule': { value: Object.entries(f.byRule).map(([k, v]) => `${k} ${v}`).join(', ') },
      'replay, rules off (ms, each run)': { value: ms(f.offMs) },
      'replay, rules on (ms, each run)': { value: ms(f.onMs) },
      'µs/event off → on (best)': { value: `${f.offUsPerEvent.toFixed(2)} → ${f.onUsPerEvent.toFixed(2)}` },
      'replay CPU, off / on (ms, each run)': { value: `${ms(f.offCpuMs)}  /  ${ms(f.onCpuMs)}` },
      'ratio on / off (wall)': { value: f.ratio.toFixed(2), target: '≤ 2.00 (rules add ≤ 100 %)' },
      'ratio on / off (CPU)': { value: f.cpuRatio.toFixed(2), target: '≤ 2.00' },
      'heap retained: projections (MB)': { value: f.projectionsHeapMb.toFixed(0) },
      'heap retained: + risk engine (MB)': { value: f.engineHeapMb.toFixed(0) },
      'generation (s)': { value: f.generateSeconds.toFixed(1) },
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
