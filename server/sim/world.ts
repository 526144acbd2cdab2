/**
 * The simulated district's fixed traits, derived once from the seed and the district data: how busy each
 * community is (a few hotspots), the category mix, the recurring petitioners, and the daily/weekly rhythm.
 */
import type { CategoryInfo, CommunityInfo, DistrictInfo, StreetInfo } from '../../shared/geo.js';
import { HOUR_MS } from '../../shared/time.js';
import type { PetitionForm } from '../../shared/vocabulary.js';
import { fakePerson, type Person } from './people.js';
import { Rng } from './random.js';
import { CATEGORY_MIX, GRIEVANCES, HOTSPOT_LABOUR_BOOST, HOURLY_RHYTHM, PETITION_FORMS, WEEKLY_RHYTHM } from './vocab.js';

const SALT_WORLD = 0x5eed;

export interface Petitioner extends Person {
  community: CommunityInfo;
  category: string;
  grievance: string;
  /** Each petitioner has a habit: some always come in person, others write. */
  form: PetitionForm;
}

export interface World {
  seed: number;
  tzOffsetMinutes: number;
  streets: Map<string, StreetInfo>;
  communities: CommunityInfo[];
  communityWeights: number[];
  hotspots: CommunityInfo[];
  categories: string[];
  categoryWeights: number[];
  hotspotCategoryWeights: number[];
  petitioners: Petitioner[];
  petitionerWeights: number[];
}

export function buildWorld(seed: number, district: DistrictInfo, categoryInfo: readonly CategoryInfo[], tzOffsetMinutes: number): World {
  const rng = Rng.of(seed, SALT_WORLD);
  const streets = new Map(district.streets.map((s) => [s.code, s]));
  // A community whose street is missing could only produce events the API rejects.
  const communities = district.communities.filter((c) => streets.has(c.streetCode));
  if (communities.length === 0) throw new Error(`district ${district.id}: no communities to simulate`);
  if (categoryInfo.length === 0) throw new Error('no categories to simulate');

  // Communities differ in size and temper; a few (industrial parks, dense urban villages) run several times hotter.
  const communityWeights = communities.map(() => 0.5 + rng.next());
  const hotspotCount = Math.min(communities.length, Math.max(3, Math.min(6, Math.round(communities.length * 0.04))));
  const hotspots: CommunityInfo[] = [];
  const taken = new Set<number>();
  while (hotspots.length < hotspotCount) {
    const i = rng.int(0, communities.length - 1);
    if (taken.has(i)) continue;
    taken.add(i);
    communityWeights[i] = communityWeights[i]! * (4 + rng.next() * 3);
    hotspots.push(communities[i]!);
  }

  const categories = categoryInfo.map((c) => c.code);
  const categoryWeights = categories.map((c) => CATEGORY_MIX[c] ?? 1);
  const hotspotCategoryWeights = categories.map((c, i) => categoryWeights[i]! * (c === 'labour' ? HOTSPOT_LABOUR_BOOST : 1));

  const known = new Set(categories);
  const grievances = GRIEVANCES.map((g) => ({ ...g, category: known.has(g.category) ? g.category : known.has('other') ? 'other' : categories[0]! }));
  const petitionerCount = Math.max(8, Math.min(20, Math.round(communities.length / 8)));
  const petitioners: Petitioner[] = Array.from({ length: petitionerCount }, () => {
    const g = rng.pick(grievances);
    return {
      ...fakePerson(rng),
      community: rng.weightedOf(communities, communityWeights),
      category: g.category,
      grievance: g.text,
      form: rng.weighted(PETITION_FORMS),
    };
  });
  // A handful of people account for most repeat petitions (the long tail of 老上访户).
  const petitionerWeights = petitioners.map((_, i) => 1 / Math.sqrt(i + 1));

  return {
    seed, tzOffsetMinutes, streets, communities, communityWeights, hotspots, categories, categoryWeights,
    hotspotCategoryWeights, petitioners, petitionerWeights,
  };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const HOURLY = HOURLY_RHYTHM.map((x) => x / mean(HOURLY_RHYTHM));
const WEEKLY = WEEKLY_RHYTHM.map((x) => x / mean(WEEKLY_RHYTHM));

/** Arrival intensity at `ms` relative to the weekly mean (1 = average), interpolated so hours blend smoothly. */
export function rhythm(ms: number, tzOffsetMinutes: number): number {
  const local = ms + tzOffsetMinutes * 60_000;
  const hour = ((local / HOUR_MS) % 24) - 0.5;
  const h0 = Math.floor(hour);
  const frac = hour - h0;
  const daily = HOURLY[(h0 + 24) % 24]! * (1 - frac) + HOURLY[(h0 + 25) % 24]! * frac;
  return daily * WEEKLY[new Date(local).getUTCDay()]!;
}

/** Local hour of day (0–23.99…) at `ms`. */
export function localHour(ms: number, tzOffsetMinutes: number): number {
  return (((ms + tzOffsetMinutes * 60_000) / HOUR_MS) % 24 + 24) % 24;
}
