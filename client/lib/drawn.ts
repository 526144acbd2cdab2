/**
 * "Fully drawn" marks: each panel records a performance mark the first time it has painted real data, so the wall
 * benchmark and the browser tests can tell when the whole wall is up (docs/architecture.md §8: drawn ≤ 2 s after load).
 */
const marked = new Set<string>();

export function markDrawn(name: string): void {
  if (marked.has(name) || typeof performance === 'undefined') return;
  marked.add(name);
  performance.mark(`drawn:${name}`);
}
