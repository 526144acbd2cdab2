import * as turf from '@turf/turf';
import type { Position } from 'geojson';
import type { Area } from './source.js';

export const round5 = (x: number): number => Math.round(x * 1e5) / 1e5;

export function mapPositions(geom: Area, fn: (p: Position) => Position): Area {
  return geom.type === 'Polygon'
    ? { type: 'Polygon', coordinates: geom.coordinates.map((r) => r.map(fn)) }
    : { type: 'MultiPolygon', coordinates: geom.coordinates.map((poly) => poly.map((r) => r.map(fn))) };
}

// Parts smaller than this are float noise from clipping, not geography (streets are tens of km²).
const MIN_PART_M2 = 1;

function cleanRing(ring: Position[]): Position[] | null {
  const out: Position[] = [];
  for (const p of ring) {
    const q = [round5(p[0]!), round5(p[1]!)];
    const last = out[out.length - 1];
    if (!last || last[0] !== q[0] || last[1] !== q[1]) out.push(q);
  }
  const first = out[0]!;
  const last = out[out.length - 1]!;
  if (first[0] !== last[0] || first[1] !== last[1]) out.push([first[0]!, first[1]!]);
  return out.length >= 4 ? out : null;
}

/**
 * Rounds to 5 decimals (~1 m) and drops what rounding collapsed; null if nothing is left.
 * Holes smaller than minHoleM2 are dropped too (for dissolved outlines: gaps that rounding opened between streets).
 */
export function roundArea(geom: Area, minHoleM2 = 0): Area | null {
  const polys = geom.type === 'Polygon' ? [geom.coordinates] : geom.coordinates;
  const kept: Position[][][] = [];
  for (const poly of polys) {
    const [outer, ...holes] = poly.map(cleanRing);
    if (!outer) continue;
    const keepHole = (h: Position[] | null): h is Position[] => h !== null && turf.area(turf.polygon([h])) >= minHoleM2;
    const cleaned = [outer, ...holes.filter(keepHole)];
    if (turf.area(turf.polygon(cleaned)) >= MIN_PART_M2) kept.push(cleaned);
  }
  if (kept.length === 0) return null;
  return kept.length === 1 ? { type: 'Polygon', coordinates: kept[0]! } : { type: 'MultiPolygon', coordinates: kept };
}

/** Pretty JSON, but arrays of plain numbers (points, bounds) stay on one line. */
export function prettyJson(value: unknown): string {
  return (
    JSON.stringify(value, null, 2).replace(/\[\s+(-?[\d.e+-]+(?:,\s+-?[\d.e+-]+)*)\s+\]/g, (_, nums: string) =>
      `[${nums.split(/,\s+/).join(', ')}]`,
    ) + '\n'
  );
}
