/** Alert levels as an order: red is the most severe. Level steps in the rules are tried from the most severe down. */
import { alertLevels, type AlertLevel } from '../../../shared/vocabulary.js';

/** 3 = red … 0 = blue: a higher number is more severe. */
export function severityOf(level: AlertLevel): number {
  return alertLevels.length - 1 - alertLevels.indexOf(level);
}

export function moreSevere(a: AlertLevel, than: AlertLevel): boolean {
  return severityOf(a) > severityOf(than);
}

export function maxLevel(a: AlertLevel, b: AlertLevel): AlertLevel {
  return moreSevere(b, a) ? b : a;
}

/** `by` levels up, capped at red. */
export function raiseLevel(level: AlertLevel, by: number): AlertLevel {
  return alertLevels[Math.max(0, alertLevels.indexOf(level) - by)]!;
}

/** A copy of a rule's level steps, most severe first, whatever order the data file gives them in. */
export function mostSevereFirst<T extends { level: AlertLevel }>(steps: readonly T[]): T[] {
  return [...steps].sort((a, b) => severityOf(b.level) - severityOf(a.level));
}
