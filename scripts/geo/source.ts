import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';

export type Area = Polygon | MultiPolygon;

export interface SourceStreet {
  code: string;
  name: string;
  pinyin: string | undefined;
  areaKm2: number;
  centroid: [number, number];
  feature: Feature<Area>;
}

export interface SourceCommunity {
  name: string;
  streetCode: string;
  nbsCodes: string[];
}

// The CSVs are CRLF and unquoted (no field contains a comma), so a plain split is enough.
function readCsv(file: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const cols = header!.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    if (cells.length !== cols.length) throw new Error(`${file}: bad row "${line}"`);
    return Object.fromEntries(cols.map((c, i) => [c, cells[i]!]));
  });
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export function readStreets(dir: string, prefix: string): SourceStreet[] {
  const fc = readJson<FeatureCollection<Area>>(path.join(dir, `${prefix}_streets_wgs84.geojson`));
  return fc.features.map((f) => {
    const p = f.properties as Record<string, unknown>;
    return {
      code: String(p.nbs_code),
      name: String(p.name),
      pinyin: typeof p.name_pinyin_src === 'string' ? p.name_pinyin_src : undefined,
      areaKm2: Number(p.area_km2),
      centroid: p.centroid as [number, number],
      feature: f,
    };
  });
}

export function readOutline(dir: string, prefix: string): Feature<Area> {
  const fc = readJson<FeatureCollection<Area>>(path.join(dir, `${prefix}_district_outline_from_streets_wgs84.geojson`));
  if (fc.features.length !== 1) throw new Error(`${prefix}: expected one outline feature`);
  return fc.features[0]!;
}

export function readCommunities(dir: string, prefix: string): SourceCommunity[] {
  return readCsv(path.join(dir, `${prefix}_communities.csv`)).map((r) => ({
    name: r.community!,
    streetCode: r.street_code!,
    nbsCodes: r.nbs_codes!.split(';'),
  }));
}
