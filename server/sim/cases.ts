/** Builders for one simulated arrival: an ordinary case, a petition, a collective wage burst, or an alert. */
import type { CommunityInfo } from '../../shared/geo.js';
import type { AlertRaisedIntake, CaseReportedIntake, CaseResolvedIntake, IntakeEvent } from '../../shared/intake.js';
import { HOUR_MS } from '../../shared/time.js';
import type { CaseSource, Outcome, PetitionForm, PetitionLevel } from '../../shared/vocabulary.js';
import { fakePerson, respondentPerson, type SimParty } from './people.js';
import type { Rng } from './random.js';
import {
  BURST_ALERT_TITLES, COMPANIES, FACTORIES, OTHER_ALERTS, OUTCOME_MIX, OUTCOME_NOTES,
  PETITION_FORMS, PETITION_SOURCE, SEVERITY_WEIGHTS, SOURCE_AFFINITY, SOURCE_MIX, SOURCE_PHRASES, TITLES,
} from './vocab.js';
import { localHour, type Petitioner, type World } from './world.js';

export interface Timed {
  t: number;
  event: IntakeEvent;
}

const MINUTE_MS = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

interface Fill {
  factory: string;
  company: string;
  n: number;
}

function fill(template: string, rng: Rng, f: Fill): string {
  const amount = rng.int(8, 800) * 500;
  const money = amount >= 10_000 ? `${(amount / 10_000).toFixed(1)}万` : String(amount);
  return template
    .replaceAll('{factory}', f.factory)
    .replaceAll('{company}', f.company)
    .replaceAll('{n}', String(f.n))
    .replaceAll('{amount}', money);
}

/** Up to ~300 m from the community's label point (uniform over the disc); sometimes no position at all. */
function jitter(rng: Rng, c: CommunityInfo): { lat: number; lng: number } | undefined {
  if (rng.chance(0.15)) return undefined;
  const [lng, lat] = c.labelPoint;
  const r = 300 * Math.sqrt(rng.next());
  const a = 2 * Math.PI * rng.next();
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return { lat: round(lat + (r * Math.cos(a)) / 111_320), lng: round(lng + (r * Math.sin(a)) / (111_320 * Math.cos((lat * Math.PI) / 180))) };
}

function pickSource(rng: Rng, category: string): CaseSource {
  const pull = SOURCE_AFFINITY[category] ?? {};
  const weights = Object.fromEntries(Object.entries(SOURCE_MIX).map(([s, w]) => [s, w * (pull[s as CaseSource] ?? 1)]));
  return rng.weighted(weights as Record<CaseSource, number>);
}

function severity(rng: Rng, people: number): number {
  const base = rng.weightedOf([1, 2, 3, 4, 5], SEVERITY_WEIGHTS);
  return Math.min(5, base + (people >= 10 ? 1 : 0) + (people >= 30 ? 1 : 0));
}

interface CaseSpec {
  ref: string;
  t: number;
  kind: CaseReportedIntake['kind'];
  petitionForm?: PetitionForm;
  petitionLevel?: PetitionLevel;
  category: string;
  community: CommunityInfo;
  source: CaseSource;
  title: string;
  /** The matter itself, for the description (the title may carry a petition prefix). */
  matter?: string;
  severity: number;
  people: number;
  parties: SimParty[];
}

function caseEvent(rng: Rng, world: World, s: CaseSpec): CaseReportedIntake {
  const street = world.streets.get(s.community.streetCode)!;
  const location = jitter(rng, s.community);
  // Traffic accidents are reported within the hour; other disputes simmer for days before anyone calls.
  const occurredBefore = s.category === 'traffic' ? rng.int(5, 120) * MINUTE_MS : rng.int(1, 240) * HOUR_MS;
  return {
    type: 'case.reported',
    source: s.source,
    sourceRef: s.ref,
    kind: s.kind,
    ...(s.petitionForm ? { petitionForm: s.petitionForm } : {}),
    ...(s.petitionLevel ? { petitionLevel: s.petitionLevel } : {}),
    category: s.category,
    title: s.title,
    description: `${street.name}${s.community.name}，${SOURCE_PHRASES[s.source]}：${s.matter ?? s.title}。`,
    streetCode: street.code,
    communityCode: s.community.code,
    ...(location ? { location } : {}),
    severity: s.severity,
    peopleInvolved: s.people,
    ...(rng.chance(0.7) ? { occurredAt: iso(s.t - occurredBefore) } : {}),
    reportedAt: iso(s.t),
    parties: s.parties,
  };
}

function applicant(rng: Rng): SimParty {
  const p = fakePerson(rng);
  return { role: 'applicant', name: p.name, ...(rng.chance(0.9) ? { phone: p.phone } : {}), ...(rng.chance(0.7) ? { idNumber: p.idNumber } : {}) };
}

function fillFor(rng: Rng): Fill {
  return { factory: rng.pick(FACTORIES), company: rng.pick(COMPANIES), n: rng.int(3, 15) };
}

/** Firms of one kind per community: "某电子厂" alone would make every factory in the district one respondent. */
const FIRMS_PER_KIND = 20;

/** A made-up but distinct firm: its kind, its community and a mark (never a real name). */
function firmName(kind: string, community: CommunityInfo, k: number): string {
  return `${kind}（${community.name}·${k + 1}）`;
}

/** An ordinary dispute, or (kind petition) the same matter brought to the petition bureau. */
export function ordinaryCase(rng: Rng, world: World, ref: string, t: number, kind: 'dispute' | 'petition'): CaseReportedIntake {
  const community = rng.weightedOf(world.communities, world.communityWeights);
  const category = rng.weightedOf(world.categories, world.hotspots.includes(community) ? world.hotspotCategoryWeights : world.categoryWeights);
  const f = fillFor(rng);
  const [template, org] = rng.pick(TITLES[category] ?? TITLES.other!);
  let people = rng.weightedOf([1, 2, 3, 4, 5], [20, 50, 12, 6, 4]);
  if (template.includes('{n}')) people = f.n;
  else if (['labour', 'property', 'land', 'housing'].includes(category) && rng.chance(0.15)) people = rng.int(6, 25);
  const matter = fill(template, rng, f);
  let title = matter;
  let petitionForm: PetitionForm | undefined;
  let source = pickSource(rng, category);
  if (kind === 'petition') {
    petitionForm = rng.weighted(PETITION_FORMS);
    source = PETITION_SOURCE[petitionForm];
    // 集体访: a group comes in person with a head count.
    const collective = petitionForm === 'visit' && rng.chance(0.12);
    if (collective) people = Math.max(people, rng.int(5, 30));
    title = `${collective ? '集体访：' : { visit: '来访反映', letter: '来信反映', online: '网上信访：' }[petitionForm]}${matter}`;
  }
  const parties = [applicant(rng), org ? { role: 'respondent' as const, name: firmName(fill(org, rng, f), community, rng.int(0, FIRMS_PER_KIND - 1)) } : respondentPerson(rng)];
  if (people >= 3 && rng.chance(0.5)) parties.push(applicant(rng));
  return caseEvent(rng, world, { ref, t, kind, petitionForm, category, community, source, title, matter, severity: severity(rng, people), people, parties });
}

/** One of the district's recurring petitioners comes back about the same grievance. */
export function repeatPetition(rng: Rng, world: World, ref: string, t: number): CaseReportedIntake {
  const p: Petitioner = rng.weightedOf(world.petitioners, world.petitionerWeights);
  const form = rng.chance(0.75) ? p.form : rng.weighted(PETITION_FORMS);
  const parties: SimParty[] = [{ role: 'applicant', name: p.name, phone: p.phone, idNumber: p.idNumber }];
  // Now and then a recurring petitioner takes the grievance to the city instead (越级).
  const petitionLevel: PetitionLevel | undefined = form === 'visit' && rng.chance(0.1) ? 'city' : undefined;
  return caseEvent(rng, world, {
    ref, t, kind: 'petition', petitionForm: form, petitionLevel, category: p.category, community: p.community, source: PETITION_SOURCE[form],
    title: `重复信访：反映${p.grievance}`, matter: `反映${p.grievance}`, severity: rng.int(2, 3) + (form === 'visit' ? 1 : 0), people: 1, parties,
  });
}

/**
 * A collective wage dispute: dozens of workers of one factory, then more of them reporting separately in the same
 * community within the hour, and often a risk alert from the monitoring system.
 */
export function wageBurst(rng: Rng, world: World, ref: string, t: number): Timed[] {
  const community = rng.chance(0.7) ? rng.pick(world.hotspots) : rng.weightedOf(world.communities, world.communityWeights);
  const category = world.categories.includes('labour') ? 'labour' : world.categories[0]!;
  const f: Fill = { factory: rng.pick(FACTORIES), company: rng.pick(COMPANIES), n: rng.int(25, 90) };
  const reps = [applicant(rng), applicant(rng), applicant(rng)];
  const factoryParty: SimParty = { role: 'respondent', name: firmName(`某${f.factory}`, community, 0) };
  const out: Timed[] = [];
  out.push({ t, event: caseEvent(rng, world, {
    ref, t, kind: 'dispute', category, community, source: rng.weighted({ grid: 3, hotline: 2, police: 2 }),
    title: fill('某{factory}拖欠{n}名员工工资', rng, f), severity: rng.chance(0.5) ? 5 : 4, people: f.n, parties: [...reps, factoryParty],
  }) });
  const followUps = rng.int(2, 6);
  for (let i = 1; i <= followUps; i++) {
    const ct = t + rng.int(2, 60) * MINUTE_MS;
    const n = rng.int(3, 12);
    out.push({ t: ct, event: caseEvent(rng, world, {
      ref: `${ref}-c${i}`, t: ct, kind: 'dispute', category, community, source: rng.weighted({ hotline: 3, walkin: 2, grid: 1 }),
      title: `某${f.factory}又有${n}名员工反映工资未结清`, severity: rng.int(3, 4), people: n, parties: [applicant(rng), factoryParty],
    }) });
  }
  if (rng.chance(0.6)) {
    const at = t + rng.int(3, 30) * MINUTE_MS;
    const alert: AlertRaisedIntake = {
      type: 'alert.raised', source: 'system', sourceRef: `${ref}-a`, level: f.n >= 60 ? 'red' : 'orange',
      title: fill(rng.pick(BURST_ALERT_TITLES), rng, f), streetCode: community.streetCode, communityCode: community.code, raisedAt: iso(at),
    };
    out.push({ t: at, event: alert });
  }
  return out;
}

/** A lower-level alert from an outside monitoring system, not tied to one case. */
export function otherAlert(rng: Rng, world: World, ref: string, t: number): AlertRaisedIntake {
  const community = rng.weightedOf(world.communities, world.communityWeights);
  const a = rng.pick(OTHER_ALERTS);
  return {
    type: 'alert.raised', source: 'system', sourceRef: ref, level: a.level, title: a.title,
    streetCode: community.streetCode, ...(rng.chance(0.8) ? { communityCode: community.code } : {}), raisedAt: iso(t),
  };
}

/**
 * When and how a case closes: log-normal delay (median ~30 h, most within a week, heavier cases slower),
 * moved into office hours, or never within any window for a share of them (some disputes simply stay open).
 */
export function resolution(rng: Rng, world: World, c: CaseReportedIntake, t: number, neverShare: number): Timed | undefined {
  if (rng.chance(neverShare)) return undefined;
  const hours = Math.exp(Math.log(30) + 1.1 * rng.normal()) * (1 + 0.15 * (c.severity - 1));
  let at = t + Math.max(20 * MINUTE_MS, Math.round(hours * HOUR_MS));
  const h = localHour(at, world.tzOffsetMinutes);
  // Mediators close cases at their desks: anything outside 08:00–21:00 moves to the next morning.
  if (h < 8 || h >= 21) at += Math.round(((h < 8 ? 8 - h : 32 - h) + 0.5 + rng.next() * 3) * HOUR_MS);
  const mix = c.source === 'court' ? { ...OUTCOME_MIX, litigation: OUTCOME_MIX.litigation * 2.5 } : OUTCOME_MIX;
  const outcome: Outcome = rng.weighted(mix);
  const event: CaseResolvedIntake = {
    type: 'case.resolved', source: c.source, sourceRef: `${c.sourceRef}-r`, caseSourceRef: c.sourceRef,
    outcome, note: rng.pick(OUTCOME_NOTES[outcome]), resolvedAt: iso(at),
  };
  return { t: at, event };
}
