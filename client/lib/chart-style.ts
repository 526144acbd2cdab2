/** Shared look of the wall's charts on the dark theme; sizes are px at 1080p scaled by the viewport. */
import { viewport } from './viewport.svelte.js';

export const chartColors = {
  text: '#c8d6e5',
  muted: '#8aa2bb',
  axis: '#2a4466',
  split: 'rgba(60, 100, 150, 0.25)',
  reported: '#4cc3ff',
  resolved: '#39d98a',
  heat: '#ff8a3d',
} as const;

export const sourcePalette = ['#4cc3ff', '#ffb547', '#39d98a', '#b388ff', '#ff6b81', '#5ee7df', '#c8d6e5'];

export function textStyle(size = 18) {
  return { color: chartColors.text, fontSize: viewport.px(size) };
}

export function categoryAxisLabel(size = 18) {
  return { ...textStyle(size), margin: viewport.px(8) };
}

/** Names on a category axis: cut to a width so long (English) names cannot squeeze the bars away. */
export function nameAxisLabel(maxWidth = 150) {
  return { ...categoryAxisLabel(), width: viewport.px(maxWidth), overflow: 'truncate' as const };
}

export function valueAxis() {
  return {
    type: 'value' as const,
    minInterval: 1,
    axisLabel: textStyle(18),
    splitLine: { lineStyle: { color: chartColors.split } },
  };
}

export function grid(extra: { left?: number; right?: number; top?: number; bottom?: number } = {}) {
  return {
    left: viewport.px(extra.left ?? 8),
    right: viewport.px(extra.right ?? 12),
    top: viewport.px(extra.top ?? 12),
    bottom: viewport.px(extra.bottom ?? 8),
  };
}

/**
 * No chart animation: tweened updates would repaint every chart on every frame for as long as events keep coming,
 * which a wall PC without a GPU cannot afford, and an entrance sweep replays on every resize.
 */
export const noAnimation = { animation: false } as const;
