import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import type { CategoryInfo, DepartmentInfo, DistrictInfo } from '../../shared/geo.js';
import { buildAll } from '../../scripts/build-geo.js';

type Area = Feature<Polygon | MultiPolygon, Record<string, unknown>>;
interface Geo {
  outline: { features: Area[] };
  streets: { features: Area[] };
  communities: { features: Area[] };
}

const dataDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../data');
const read = <T>(...p: string[]): T => JSON.parse(readFileSync(path.join(dataDir, ...p), 'utf8')) as T;

const AGENCIES = [
  'court', 'procuratorate', 'police', 'justice', 'petition', 'labour', 'housing',
  'health', 'market', 'traffic-police', 'women-federation', 'urban-management', 'planning', 'finance',
];

// 宝安: 140 communities; the CSV's airport "virtual community" (unit 440306400) has no polygon and is left out.
const EXPECTED = [
  { id: 'longgang', code: '440307', streets: 11, communities: 111 },
  { id: 'baoan', code: '440306', streets: 10, communities: 140 },
];

const km2 = (f: Feature<Polygon | MultiPolygon>) => turf.area(f) / 1e6;

describe.each(EXPECTED)('district $id', ({ id, code, streets: nStreets, communities: nCommunities }) => {
  const geo = read<Geo>('districts', id, 'geo.json');
  const district = read<DistrictInfo>('districts', id, 'district.json');
  const departments = read<DepartmentInfo[]>('districts', id, 'departments.json');
  const streetFeatures = geo.streets.features;
  const cells = geo.communities.features;

  it('has the expected streets and communities, with unique, well-formed codes', () => {
    expect(district.code).toBe(code);
    expect(district.streets).toHaveLength(nStreets);
    expect(district.communities).toHaveLength(nCommunities);
    expect(streetFeatures).toHaveLength(nStreets);
    expect(cells).toHaveLength(nCommunities);

    const streetCodes = district.streets.map((s) => s.code);
    expect(new Set(streetCodes).size).toBe(nStreets);
    expect(streetCodes).toEqual([...streetCodes].sort());
    for (const s of streetCodes) expect(s).toMatch(new RegExp(`^${code}\\d{3}$`));

    const communityCodes = district.communities.map((c) => c.code);
    expect(new Set(communityCodes).size).toBe(nCommunities);
    expect(communityCodes).toEqual([...communityCodes].sort());
    for (const c of district.communities) {
      expect(c.code).toMatch(/^\d{12}$/);
      expect(c.code.startsWith(c.streetCode)).toBe(true);
      expect(streetCodes).toContain(c.streetCode);
      expect(c.nbsCodes[0]).toBe(c.code);
    }
    expect(communityCodes.some((c) => c.startsWith('440306400'))).toBe(false);
  });

  it('keeps geo.json and district.json in step, with exactly the agreed properties', () => {
    expect(geo.outline.features).toHaveLength(1);
    expect(geo.outline.features[0]!.properties).toEqual({ code, name: district.name.zh });
    streetFeatures.forEach((f, i) => {
      const s = district.streets[i]!;
      expect(f.properties).toEqual({ code: s.code, name: s.name, labelPoint: s.labelPoint, areaKm2: s.areaKm2 });
    });
    cells.forEach((f, i) => {
      const c = district.communities[i]!;
      expect(f.properties).toEqual({ code: c.code, name: c.name, streetCode: c.streetCode, labelPoint: c.labelPoint, schematic: true });
    });
    expect(district.schematicCommunities).toBe(true);
  });

  it('rounds every coordinate to 5 decimals', () => {
    for (const f of [...geo.outline.features, ...streetFeatures, ...cells]) {
      for (const p of turf.coordAll(f)) for (const x of p) expect(Math.round(x * 1e5) / 1e5).toBe(x);
    }
  });

  it('partitions each street into valid, non-overlapping cells that cover it', () => {
    for (const street of streetFeatures) {
      const own = cells.filter((c) => c.properties.streetCode === street.properties.code);
      expect(own.length).toBeGreaterThan(0);
      for (const cell of own) {
        expect(turf.booleanValid(cell)).toBe(true);
        expect(turf.kinks(cell).features).toHaveLength(0);
        const inside = turf.intersect(turf.featureCollection([cell, street]));
        expect(inside && km2(inside) / km2(cell)).toBeGreaterThan(0.999);
      }
      const sum = own.reduce((s, c) => s + km2(c), 0);
      const union = own.length === 1 ? own[0]! : turf.union(turf.featureCollection(own))!;
      expect(Math.abs(sum - km2(street)) / km2(street)).toBeLessThan(0.01);
      expect(Math.abs(sum - km2(union)) / sum).toBeLessThan(0.001);
    }
  });

  it('puts every label point inside its own polygon', () => {
    for (const f of [...streetFeatures, ...cells]) {
      expect(turf.booleanPointInPolygon(f.properties.labelPoint as Position, f)).toBe(true);
    }
  });

  it('has the bounds and centre of the outline', () => {
    const [minLng, minLat, maxLng, maxLat] = turf.bbox(geo.outline.features[0]!);
    expect(district.bounds).toEqual([[minLat, minLng], [maxLat, maxLng]]);
    expect(district.center[0]).toBeCloseTo((minLat + maxLat) / 2, 4);
    expect(district.center[1]).toBeCloseTo((minLng + maxLng) / 2, 4);
  });

  it('lists the 14 agencies and one office per street', () => {
    const ids = departments.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(departments.filter((d) => d.kind === 'agency').map((d) => d.id)).toEqual(AGENCIES);
    const offices = departments.filter((d) => d.kind === 'street');
    expect(offices.map((d) => d.streetCode)).toEqual(district.streets.map((s) => s.code));
    for (const o of offices) expect(o.id).toBe(`street-${o.streetCode}`);
    expect(departments.find((d) => d.id === 'court')!.name.zh).toBe(`${district.name.zh}人民法院`);
  });
});

describe('categories', () => {
  const categories = read<CategoryInfo[]>('categories.json');

  it('has 13 unique codes, sane weights and distinct colours', () => {
    expect(categories).toHaveLength(13);
    expect(new Set(categories.map((c) => c.code)).size).toBe(13);
    expect(new Set(categories.map((c) => c.color.toLowerCase())).size).toBe(13);
    for (const c of categories) {
      expect(c.weight).toBeGreaterThanOrEqual(0.5);
      expect(c.weight).toBeLessThanOrEqual(2);
      expect(c.color).toMatch(/^#[0-9a-f]{6}$/i);
    }
  });

  it.each(EXPECTED)('routes only to departments that exist in $id', ({ id }) => {
    const ids = new Set(read<DepartmentInfo[]>('districts', id, 'departments.json').map((d) => d.id));
    for (const c of categories) {
      for (const dep of [c.departments.lead, ...c.departments.assist]) expect(dep === 'street' || ids.has(dep), `${c.code}: ${dep}`).toBe(true);
    }
  });
});

describe('build-geo', () => {
  it('rebuilds byte-identical files', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'build-geo-'));
    try {
      buildAll(tmp);
      for (const { id } of EXPECTED) {
        const files = readdirSync(path.join(tmp, id)).sort();
        expect(files).toEqual(['departments.json', 'district.json', 'geo.json']);
        for (const f of files) {
          expect(readFileSync(path.join(tmp, id, f), 'utf8'), `${id}/${f}`).toBe(readFileSync(path.join(dataDir, 'districts', id, f), 'utf8'));
        }
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);
});
