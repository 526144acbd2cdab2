/**
 * Loads one district's reference data from data/ (geography is data, never code) and answers the lookups
 * intake and the read API need. Fails at start-up with a clear message when a file is missing or malformed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { appRoot } from './app-root.js';
import type { CategoryInfo, CommunityInfo, DepartmentInfo, DistrictInfo, GeoBundle, StreetInfo } from '../shared/geo.js';

export const dataRoot = path.join(appRoot, 'data');

export class DistrictDataError extends Error {
  override name = 'DistrictDataError';
}

export interface DistrictData {
  info: DistrictInfo;
  geo: GeoBundle;
  categories: CategoryInfo[];
  departments: DepartmentInfo[];
  street(code: string): StreetInfo | undefined;
  community(code: string): CommunityInfo | undefined;
  category(code: string): CategoryInfo | undefined;
  communitiesOf(streetCode: string): readonly string[];
}

function readJson<T>(file: string): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new DistrictDataError(`missing data file ${path.relative(process.cwd(), file)}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new DistrictDataError(`${path.relative(process.cwd(), file)} is not valid JSON: ${(e as Error).message}`);
  }
}

export function availableDistricts(root = dataRoot): string[] {
  const dir = path.join(root, 'districts');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((d) => fs.existsSync(path.join(dir, d, 'district.json'))) : [];
}

export function loadDistrictData(districtId: string, root = dataRoot): DistrictData {
  const dir = path.join(root, 'districts', districtId);
  if (!fs.existsSync(path.join(dir, 'district.json'))) {
    throw new DistrictDataError(`unknown district "${districtId}": available are ${availableDistricts(root).join(', ') || 'none'}`);
  }
  const info = readJson<DistrictInfo>(path.join(dir, 'district.json'));
  const geo = readJson<GeoBundle>(path.join(dir, 'geo.json'));
  const departments = readJson<DepartmentInfo[]>(path.join(dir, 'departments.json'));
  const categories = readJson<CategoryInfo[]>(path.join(root, 'categories.json'));

  const streets = new Map(info.streets.map((s) => [s.code, s]));
  const communities = new Map(info.communities.map((c) => [c.code, c]));
  const byStreet = new Map<string, string[]>();
  for (const c of info.communities) {
    if (!streets.has(c.streetCode)) throw new DistrictDataError(`community ${c.code} names unknown street ${c.streetCode}`);
    byStreet.set(c.streetCode, [...(byStreet.get(c.streetCode) ?? []), c.code]);
  }
  const categoryMap = new Map(categories.map((c) => [c.code, c]));
  return {
    info,
    geo,
    categories,
    departments,
    street: (code) => streets.get(code),
    community: (code) => communities.get(code),
    category: (code) => categoryMap.get(code),
    communitiesOf: (code) => byStreet.get(code) ?? [],
  };
}
