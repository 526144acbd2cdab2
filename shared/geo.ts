import type { Localized } from './vocabulary.js';

export type LngLat = [number, number];

export interface StreetInfo {
  code: string;
  name: string;
  nameEn?: string;
  labelPoint: LngLat;
  areaKm2: number;
}

export interface CommunityInfo {
  code: string;
  name: string;
  streetCode: string;
  labelPoint: LngLat;
  nbsCodes: string[];
}

/** data/districts/<id>/district.json */
export interface DistrictInfo {
  id: string;
  code: string;
  name: Localized;
  city: Localized;
  bounds: [[number, number], [number, number]];
  center: [number, number];
  streets: StreetInfo[];
  communities: CommunityInfo[];
  schematicCommunities: boolean;
  source: string;
}

export interface CategoryInfo {
  code: string;
  name: Localized;
  weight: number;
  color: string;
  departments: { lead: string; assist: string[] };
}

export interface DepartmentInfo {
  id: string;
  name: Localized;
  short: Localized;
  kind: 'agency' | 'street';
  streetCode?: string;
}

/** What the map needs to draw the district; GeoJSON kept loose on purpose (Leaflet takes it as is). */
export interface GeoBundle {
  outline: GeoJSONCollection;
  streets: GeoJSONCollection;
  communities: GeoJSONCollection;
}

export interface GeoJSONCollection {
  type: 'FeatureCollection';
  features: Array<{
    type: 'Feature';
    properties: Record<string, unknown>;
    geometry: { type: string; coordinates: unknown };
  }>;
}
