import * as turf from '@turf/turf';
import type { Feature, Position } from 'geojson';
import { mapPositions, roundArea, round5 } from './shape.js';
import type { Area } from './source.js';

export interface Cell {
  geometry: Area;
  /** Seed of the Voronoi cell in [lng, lat]; lies strictly inside the street polygon. */
  seed: [number, number];
}

// ~400 samples per cell keeps k-means cheap while making cell areas even to within a few percent.
const SAMPLES_PER_CELL = 400;
const MAX_ITERATIONS = 60;
const METRES_PER_DEGREE = 111_320;

/** mulberry32: tiny seeded PRNG so the partition is identical on every run and machine. */
function prng(key: string): () => number {
  let a = 0;
  for (const ch of key) a = (Math.imul(a, 31) + ch.charCodeAt(0)) | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const dist2 = (a: Position, b: Position) => (a[0]! - b[0]!) ** 2 + (a[1]! - b[1]!) ** 2;

function nearest(p: Position, centers: Position[]): number {
  let best = 0;
  for (let j = 1; j < centers.length; j++) if (dist2(p, centers[j]!) < dist2(p, centers[best]!)) best = j;
  return best;
}

function samplePoints(shape: Feature<Area>, spacing: number): Position[] {
  const [minX, minY, maxX, maxY] = turf.bbox(shape);
  const points: Position[] = [];
  for (let i = 0; minY + (i + 0.5) * spacing < maxY; i++) {
    for (let j = 0; minX + (j + 0.5) * spacing < maxX; j++) {
      const p = [minX + (j + 0.5) * spacing, minY + (i + 0.5) * spacing];
      if (turf.booleanPointInPolygon(p, shape, { ignoreBoundary: true })) points.push(p);
    }
  }
  return points;
}

/** Lloyd's k-means with k-means++ start; returns, per cluster, the member sample nearest its centroid. */
function kMeansSeeds(points: Position[], k: number, random: () => number): Position[] {
  const centers: Position[] = [points[Math.floor(random() * points.length)]!];
  while (centers.length < k) {
    const d = points.map((p) => dist2(p, centers[nearest(p, centers)]!));
    let r = random() * d.reduce((s, x) => s + x, 0);
    let idx = 0;
    while (idx < points.length - 1 && (r -= d[idx]!) > 0) idx++;
    centers.push(points[idx]!);
  }
  let assign = points.map((p) => nearest(p, centers));
  for (let iter = 0; iter < MAX_ITERATIONS; iter++) {
    const sum = centers.map(() => [0, 0, 0]);
    assign.forEach((c, i) => {
      sum[c]![0]! += points[i]![0]!;
      sum[c]![1]! += points[i]![1]!;
      sum[c]![2]!++;
    });
    sum.forEach(([x, y, n], c) => {
      if (n) centers[c] = [x! / n, y! / n];
    });
    sum.forEach(([, , n], c) => {
      if (n) return;
      // An emptied cluster restarts at the sample worst served by its current centre.
      let worst = 0;
      points.forEach((p, i) => {
        if (dist2(p, centers[assign[i]!]!) > dist2(points[worst]!, centers[assign[worst]!]!)) worst = i;
      });
      centers[c] = points[worst]!;
      assign[worst] = c;
    });
    const next = points.map((p) => nearest(p, centers));
    const changed = next.some((c, i) => c !== assign[i]);
    assign = next;
    if (!changed) break;
  }
  // Snapping each seed to a sample keeps it inside the street, so its clipped cell can't be empty.
  return centers.map((c, ci) => {
    let best: Position | undefined;
    assign.forEach((a, i) => {
      if (a === ci && (!best || dist2(points[i]!, c) < dist2(best, c))) best = points[i];
    });
    if (!best) throw new Error('k-means left an empty cluster');
    return best;
  });
}

/** Orders seeds in bands north→south, each band west→east, so communities sorted by code get a stable layout. */
function readingOrder(seeds: Position[]): number[] {
  const byLat = seeds.map((_, i) => i).sort((a, b) => seeds[b]![1]! - seeds[a]![1]! || seeds[a]![0]! - seeds[b]![0]!);
  const perRow = Math.ceil(seeds.length / Math.max(1, Math.round(Math.sqrt(seeds.length))));
  const order: number[] = [];
  for (let r = 0; r < byLat.length; r += perRow) {
    order.push(...byLat.slice(r, r + perRow).sort((a, b) => seeds[a]![0]! - seeds[b]![0]! || seeds[b]![1]! - seeds[a]![1]!));
  }
  return order;
}

function parts(geom: Area): Position[][][] {
  return geom.type === 'Polygon' ? [geom.coordinates] : geom.coordinates;
}

function fromParts(polys: Position[][][]): Area {
  return polys.length === 1 ? { type: 'Polygon', coordinates: polys[0]! } : { type: 'MultiPolygon', coordinates: polys };
}

const perimeter = (geom: Area) =>
  parts(geom).flat().reduce((sum, ring) => sum + ring.slice(1).reduce((s, p, i) => s + Math.sqrt(dist2(p, ring[i]!)), 0), 0);

/**
 * A Voronoi cell clipped to a non-convex street can fall apart (a bay or a river arm cuts it), which would
 * draw one community in two places. Each piece without the seed joins the cell it shares the longest border
 * with; a piece that borders no other cell (an island of the street) stays where it is.
 */
function mergeStrays(cells: Area[], seeds: Position[]): Area[] {
  const out = [...cells];
  out.forEach((cell, i) => {
    const pieces = parts(cell);
    if (pieces.length < 2) return;
    const home = pieces.filter((p) => turf.booleanPointInPolygon(seeds[i]!, turf.polygon(p)));
    for (const stray of pieces.filter((p) => !home.includes(p))) {
      const strayGeom = fromParts([stray]);
      let best: { j: number; shared: number; merged: Area } | undefined;
      out.forEach((other, j) => {
        if (j === i) return;
        const merged = turf.union(turf.featureCollection([turf.feature(other), turf.feature(strayGeom)]))?.geometry;
        if (!merged || parts(merged).length > parts(other).length) return;
        const shared = (perimeter(other) + perimeter(strayGeom) - perimeter(merged)) / 2;
        if (!best || shared > best.shared) best = { j, shared, merged };
      });
      if (best) out[best.j] = best.merged;
      else home.push(stray);
    }
    out[i] = fromParts(home);
  });
  return out;
}

/**
 * Splits a street into k schematic cells of similar area (clipped Voronoi of k-means seeds).
 * Works in a locally equirectangular plane so that cells are not stretched east-west.
 */
export function partitionStreet(street: Area, k: number, key: string): Cell[] {
  const [, minLat, , maxLat] = turf.bbox(street);
  const kx = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const toPlane = (p: Position) => [p[0]! * kx, p[1]!];
  const fromPlane = (p: Position) => [p[0]! / kx, p[1]!];
  const shape = turf.feature(mapPositions(street, toPlane));

  const spacing = Math.sqrt(turf.area(street) / (k * SAMPLES_PER_CELL)) / METRES_PER_DEGREE;
  const samples = samplePoints(shape, spacing);
  const seeds = kMeansSeeds(samples, k, prng(key));

  const [minX, minY, maxX, maxY] = turf.bbox(shape);
  const pad = Math.max(maxX - minX, maxY - minY);
  const voronoi = turf.voronoi(turf.featureCollection(seeds.map((s) => turf.point(s))), {
    bbox: [minX - pad, minY - pad, maxX + pad, maxY + pad],
  });

  const clipped = seeds.map((_, i) => {
    const region = voronoi.features[i];
    const cell = region && turf.intersect(turf.featureCollection<Area>([region, shape]));
    if (!cell) throw new Error(`${key}: cell ${i} is empty`);
    return cell.geometry;
  });
  const cells = mergeStrays(clipped, seeds);

  return readingOrder(seeds).map((i) => {
    const geometry = roundArea(mapPositions(cells[i]!, fromPlane));
    if (!geometry) throw new Error(`${key}: cell ${i} is empty`);
    const [lng, lat] = fromPlane(seeds[i]!);
    return { geometry, seed: [round5(lng!), round5(lat!)] };
  });
}
