/**
 * ECharts options of the leader view's two heatmaps: new cases per category per week (重点领域) and per weekday ×
 * hour (重点时段). Colours follow the map's ramp (calm blue → hot red); zero cells stay dark so the busy ones stand out.
 */
import type { LeaderOverview } from '../../shared/risk.js';
import { chartColors } from './chart-style.js';
import { css, ramp } from './color-scale.js';
import type { MessageKey, MessageParams } from './i18n.js';
import type { LeaderChartOption } from './leader-echarts.js';

type Translate = (key: MessageKey, params?: MessageParams) => string;

const FONT = 12;
const CELL_EDGE = '#0d1c30';

interface HeatmapParams {
  value: [number, number, number];
}

function base(max: number) {
  return {
    animation: false,
    tooltip: { confine: true, backgroundColor: '#10253f', borderColor: '#1d3552', textStyle: { color: chartColors.text, fontSize: FONT } },
    visualMap: { show: false, min: 0, max: Math.max(1, max), inRange: { color: ramp.map((c) => css(c)) } },
  };
}

function axis(data: string[], extra: Record<string, unknown> = {}) {
  return {
    type: 'category' as const,
    data,
    axisLabel: { color: chartColors.text, fontSize: FONT },
    axisTick: { show: false },
    axisLine: { show: false },
    splitArea: { show: false },
    ...extra,
  };
}

/** Rows are categories (busiest on top), columns weeks (oldest left); `counts[category][week]`. */
export function categoryWeeksOption(data: LeaderOverview['categoryWeeks'], categoryName: (code: string) => string, t: Translate): LeaderChartOption {
  const cells: Array<[number, number, number]> = [];
  let max = 0;
  data.counts.forEach((row, y) =>
    row.forEach((n, x) => {
      cells.push([x, y, n]);
      max = Math.max(max, n);
    }),
  );
  const names = data.categories.map(categoryName);
  return {
    ...base(max),
    grid: { left: 6, right: 10, top: 6, bottom: 4 },
    tooltip: {
      ...base(max).tooltip,
      formatter: (p: unknown) => {
        const [x, y, n] = (p as HeatmapParams).value;
        return t('leader.fields.tooltip', { category: names[y] ?? '', week: data.weeks[x] ?? '', n });
      },
    },
    xAxis: axis(data.weeks.map((w) => w.slice(5))),
    yAxis: axis(names, { inverse: true, axisLabel: { color: chartColors.text, fontSize: FONT, width: 120, overflow: 'truncate' } }),
    series: [
      {
        type: 'heatmap',
        data: cells,
        itemStyle: { borderColor: CELL_EDGE, borderWidth: 2, borderRadius: 2 },
        label: { show: true, fontSize: 11, color: '#fff', formatter: (p: unknown) => ((p as HeatmapParams).value[2] ? String((p as HeatmapParams).value[2]) : '') },
        emphasis: { itemStyle: { borderColor: '#fff', borderWidth: 1 } },
      },
    ],
  };
}

/** Rows are weekdays (Monday on top), columns the 24 local hours. */
export function hourOfWeekOption(data: LeaderOverview['hourOfWeek'], t: Translate): LeaderChartOption {
  const cells: Array<[number, number, number]> = [];
  let max = 0;
  data.counts.forEach((row, day) =>
    row.forEach((n, hour) => {
      cells.push([hour, day, n]);
      max = Math.max(max, n);
    }),
  );
  const days = Array.from({ length: 7 }, (_, d) => t(`leader.weekday.${d}` as MessageKey));
  return {
    ...base(max),
    grid: { left: 6, right: 10, top: 6, bottom: 4 },
    tooltip: {
      ...base(max).tooltip,
      formatter: (p: unknown) => {
        const [hour, day, n] = (p as HeatmapParams).value;
        return t('leader.hours.tooltip', { day: days[day] ?? '', hour: String(hour).padStart(2, '0'), n });
      },
    },
    xAxis: axis(Array.from({ length: 24 }, (_, h) => String(h)), { axisLabel: { color: chartColors.text, fontSize: FONT, interval: 1 } }),
    yAxis: axis(days, { inverse: true }),
    series: [{ type: 'heatmap', data: cells, itemStyle: { borderColor: CELL_EDGE, borderWidth: 1.5, borderRadius: 2 }, emphasis: { itemStyle: { borderColor: '#fff', borderWidth: 1 } } }],
  };
}
