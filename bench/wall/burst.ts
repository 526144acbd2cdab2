/**
 * The wall benchmark's live burst: a steady stream of intake events spread over the district — mostly new cases,
 * some closing earlier ones, a few alerts (one red, so the takeover's fly-to is part of what is measured).
 */
import type { DistrictInfo } from '../../shared/geo.js';
import type { IntakeEventInput } from '../../shared/intake.js';

const CATEGORIES = ['family', 'labour', 'debt', 'property', 'neighbour', 'land', 'traffic', 'housing', 'consumer'];
const SOURCES = ['grid', 'hotline', 'walkin', 'court', 'police', 'online'] as const;
const LEVELS = ['yellow', 'orange', 'blue'] as const;
/** The newest cases are never resolved: their own intake request may still be in flight. */
const SETTLED = 200;

/** Deterministic PRNG (mulberry32), so two runs stream the same events. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function burstGenerator(district: DistrictInfo, options: { seed?: number; total: number; run: string }): (i: number) => IntakeEventInput {
  const rand = random(options.seed ?? 7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const open: Array<{ ref: string; source: (typeof SOURCES)[number] }> = [];
  const redAt = Math.floor(options.total / 2);
  return (i) => {
    const community = pick(district.communities);
    const ref = `${options.run}-${i}`;
    if (i === redAt) {
      return { type: 'alert.raised', source: 'system', sourceRef: ref, level: 'red', title: '集体欠薪风险', streetCode: community.streetCode, communityCode: community.code };
    }
    const roll = rand();
    if (roll < 0.03) {
      return { type: 'alert.raised', source: 'system', sourceRef: ref, level: pick(LEVELS), title: '矛盾风险提示', streetCode: community.streetCode, communityCode: community.code };
    }
    if (roll < 0.2 && open.length > SETTLED + 20) {
      // A case is referred to by the sourceRef it was reported with, under the same source; only cases posted a
      // while ago, so the resolution cannot overtake its case's own request in flight.
      const [reported] = open.splice(Math.floor(rand() * (open.length - SETTLED)), 1);
      return { type: 'case.resolved', source: reported!.source, sourceRef: `${ref}-r`, caseSourceRef: reported!.ref, outcome: rand() < 0.8 ? 'mediated' : 'withdrawn' };
    }
    const source = pick(SOURCES);
    open.push({ ref, source });
    return {
      type: 'case.reported',
      source,
      sourceRef: ref,
      kind: rand() < 0.85 ? 'dispute' : 'petition',
      category: pick(CATEGORIES),
      title: '压测事件',
      streetCode: community.streetCode,
      communityCode: community.code,
      severity: 1 + Math.floor(rand() * 5),
      peopleInvolved: 1 + Math.floor(rand() * (rand() < 0.05 ? 60 : 4)),
      parties: [],
      ...(rand() < 0.3 && { location: { lng: community.labelPoint[0] + (rand() - 0.5) * 0.004, lat: community.labelPoint[1] + (rand() - 0.5) * 0.004 } }),
    };
  };
}
