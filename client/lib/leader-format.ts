/**
 * Pure helpers of the leader view: the risk score's parts and their colours, alert level colours, sparkline paths,
 * and the replay's frames turned into map values and labels. Times are shown in the district's own time zone.
 */
import type { HeatHistory, RiskView } from '../../shared/risk.js';
import type { AlertLevel } from '../../shared/vocabulary.js';
import { niceCeil } from './color-scale.js';
import type { MessageKey } from './i18n.js';

export type ScorePart = keyof RiskView['parts'];
export const scoreParts = ['severity', 'alerts', 'overdue', 'trend'] as const satisfies readonly ScorePart[];

/** The same colours as the wall's risk summary (RiskSummary.svelte), so a part reads the same everywhere. */
export const partColor: Record<ScorePart, string> = { severity: '#ffb547', alerts: '#ff5a4f', overdue: '#c77dff', trend: '#4cc3ff' };
export const partLabel: Record<ScorePart, MessageKey> = {
  severity: 'risk.part.severity',
  alerts: 'risk.part.alerts',
  overdue: 'risk.part.overdue',
  trend: 'risk.part.trend',
};

export const levelColor: Record<AlertLevel, string> = { red: '#ff5a4f', orange: '#ff9f43', yellow: '#ffd43b', blue: '#4cc3ff' };

/** Points of an SVG polyline through `values` inside width × height (0 at the bottom; a flat line when all are 0). */
export function sparklinePoints(values: readonly number[], width: number, height: number, pad = 1.5): string {
  if (values.length === 0) return '';
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? (width - 2 * pad) / (values.length - 1) : 0;
  return values.map((v, i) => `${round2(pad + i * step)},${round2(height - pad - (v / max) * (height - 2 * pad))}`).join(' ');
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function shifted(ms: number, tz: number): Date {
  return new Date(ms + tz * 60_000);
}

/** MM-DD hh:mm in the district's time. */
export function localDayTime(iso: string, tz: number): string {
  const s = shifted(Date.parse(iso), tz).toISOString();
  return `${s.slice(5, 10)} ${s.slice(11, 16)}`;
}

/** Local weekday of an instant, 0 = Monday. */
export function localWeekday(iso: string, tz: number): number {
  return (shifted(Date.parse(iso), tz).getUTCDay() + 6) % 7;
}

/** One colour scale for the whole replay: the same heat is the same colour at every hour, so the map's change is real. */
export function replayScale(history: HeatHistory): number {
  let max = 0;
  for (const frame of history.frames) for (const h of frame.heat) if (h > max) max = h;
  return niceCeil(max);
}

export function frameValues(history: HeatHistory, index: number): Map<string, number> {
  const frame = history.frames[index];
  return new Map(history.codes.map((code, i) => [code, frame?.heat[i] ?? 0]));
}

/** The hottest community in a frame, or null when the district is calm. */
export function hottest(history: HeatHistory, index: number): { code: string; heat: number } | null {
  const frame = history.frames[index];
  if (!frame) return null;
  let best: { code: string; heat: number } | null = null;
  frame.heat.forEach((heat, i) => {
    if (heat > 0 && (!best || heat > best.heat)) best = { code: history.codes[i]!, heat };
  });
  return best;
}
