/**
 * The leader view's ECharts types, registered on the same tree-shaken core as the wall's (lib/echarts.ts): heatmaps
 * with a continuous visual map and tooltips. Only the lazily loaded leader view imports this, so the wall's initial
 * bundle does not carry them.
 */
import { init, use, type ComposeOption, type EChartsType } from 'echarts/core';
import { HeatmapChart, type HeatmapSeriesOption } from 'echarts/charts';
import { GridComponent, TooltipComponent, VisualMapContinuousComponent, type GridComponentOption, type TooltipComponentOption, type VisualMapComponentOption } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

use([HeatmapChart, GridComponent, TooltipComponent, VisualMapContinuousComponent, CanvasRenderer]);

export type LeaderChartOption = ComposeOption<HeatmapSeriesOption | GridComponentOption | TooltipComponentOption | VisualMapComponentOption>;
export type LeaderChart = EChartsType;

export function createLeaderChart(element: HTMLElement): LeaderChart {
  return init(element, null, { renderer: 'canvas' });
}
