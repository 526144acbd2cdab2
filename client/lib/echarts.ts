/**
 * ECharts, tree-shaken: only the chart types and components the wall draws are registered (docs/architecture.md §4), which
 * keeps the initial bundle within its budget. Add a type here before using it in an option.
 */
import { init, use, type ComposeOption, type EChartsType } from 'echarts/core';
import { BarChart, LineChart, PieChart, type BarSeriesOption, type LineSeriesOption, type PieSeriesOption } from 'echarts/charts';
import { GridComponent, type GridComponentOption } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

use([BarChart, LineChart, PieChart, GridComponent, CanvasRenderer]);

export type ChartOption = ComposeOption<BarSeriesOption | LineSeriesOption | PieSeriesOption | GridComponentOption>;
export type Chart = EChartsType;

export function createChart(element: HTMLElement): Chart {
  return init(element, null, { renderer: 'canvas' });
}
