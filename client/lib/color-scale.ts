/**
 * The choropleth's colour scale: a continuous ramp from "calm" to "hot" over 0 … a rounded maximum, so the legend
 * reads in whole numbers and small changes in the maximum do not repaint the whole map.
 */
export type Rgb = [number, number, number];

/** Dark-theme sequential ramp: deep blue (none) → teal → amber → orange → red (hot). */
export const ramp: readonly Rgb[] = [
  [22, 50, 79],
  [27, 110, 128],
  [242, 193, 78],
  [240, 128, 36],
  [214, 40, 40],
];

export function niceCeil(value: number): number {
  if (value <= 5) return 5;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

export function colorAt(value: number, max: number): Rgb {
  const x = max > 0 ? Math.min(1, Math.max(0, value / max)) : 0;
  const pos = x * (ramp.length - 1);
  const i = Math.min(ramp.length - 2, Math.floor(pos));
  return mix(ramp[i]!, ramp[i + 1]!, pos - i);
}

export function mix(a: Rgb, b: Rgb, f: number): Rgb {
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

export function css(rgb: Rgb): string {
  return `rgb(${Math.round(rgb[0])},${Math.round(rgb[1])},${Math.round(rgb[2])})`;
}

export function sameColor(a: Rgb, b: Rgb): boolean {
  return Math.abs(a[0] - b[0]) < 0.5 && Math.abs(a[1] - b[1]) < 0.5 && Math.abs(a[2] - b[2]) < 0.5;
}

export const rampGradient = `linear-gradient(to right, ${ramp.map((c) => css(c)).join(', ')})`;
