/** What the choropleth colours by: each is a field of the shared `CommunityView`. */
import type { CommunityView } from '../../shared/wall-state.js';
import type { MessageKey } from './i18n.js';

export const metrics = ['heat', 'open', 'newToday'] as const satisfies ReadonlyArray<keyof CommunityView>;
export type Metric = (typeof metrics)[number];

export const metricLabel: Record<Metric, MessageKey> = { heat: 'metric.heat', open: 'metric.open', newToday: 'metric.newToday' };

/** Heat to one decimal while small; whole numbers from 100, where the decimal is noise and costs width. */
export function formatHeat(value: number): string {
  return value >= 100 ? String(Math.round(value)) : value.toFixed(1);
}

export function formatMetric(metric: Metric, value: number): string {
  return metric === 'heat' ? formatHeat(value) : String(value);
}
