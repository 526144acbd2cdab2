/** What the choropleth colours by: the shared `CommunityView`'s figures plus the 0–100 risk score. */
import type { CommunityView } from '../../shared/wall-state.js';
import type { MessageKey } from './i18n.js';

/** An area's figures on the map: heat, counts, and its risk score (shared/wall-risk.ts). */
export type AreaFigures = CommunityView & { risk: number };

export const metrics = ['heat', 'risk', 'open', 'newToday'] as const satisfies ReadonlyArray<keyof AreaFigures>;
export type Metric = (typeof metrics)[number];

export const metricLabel: Record<Metric, MessageKey> = { heat: 'metric.heat', risk: 'metric.risk', open: 'metric.open', newToday: 'metric.newToday' };

/** Heat to one decimal while small; whole numbers from 100, where the decimal is noise and costs width. */
export function formatHeat(value: number): string {
  return value >= 100 ? String(Math.round(value)) : value.toFixed(1);
}

export function formatMetric(metric: Metric, value: number): string {
  return metric === 'heat' ? formatHeat(value) : String(value);
}

/** Heat and counts are scaled to the busiest area; the risk score has its own fixed 0–100 scale. */
export function fixedScale(metric: Metric): number | null {
  return metric === 'risk' ? 100 : null;
}
