/**
 * The report's charts, drawn on the server by ECharts' server-side SVG renderer (no DOM, no canvas, no animation):
 * each function returns one `<svg>` element as a string, embedded inline in the report page, so the page needs no
 * script and the PDF shows exactly what the HTML shows. ECharts escapes the text it writes into the SVG.
 */
import * as echarts from 'echarts';
import type { CountRow, ReportData, ReportLang } from '../../shared/reports.js';
import { tiers } from '../../shared/vocabulary.js';
import { nameIn, reportWords } from './i18n.js';

/** Single quotes: ECharts writes it into a double-quoted style attribute without escaping. */
export const CHART_FONT = "'Noto Sans CJK SC', 'Noto Sans CJK', 'Noto Sans SC', sans-serif";
/** The page's text column at A4 portrait with 14 mm margins, in CSS pixels. */
export const FULL_WIDTH = 680;
export const HALF_WIDTH = 330;

const PALETTE = ['#2f6fb0', '#e07b39', '#3a9a6b', '#c8494b', '#7c5bb6', '#c9a227', '#3aa0b5', '#8c6d4f', '#d46aa7', '#6b7a8f', '#9bb33b', '#4a4a4a'];
const TIER_COLOURS = ['#3a9a6b', '#2f6fb0', '#c8494b'];
const MUTED = '#9aa5b1';
/** The previous period's line in the daily chart. */
const PREVIOUS_GREY = '#8a96a3';

type Option = Record<string, unknown>;

/** Renders one option to an SVG string and frees the instance. */
export function renderSvg(option: Option, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({
      animation: false,
      color: PALETTE,
      backgroundColor: 'transparent',
      textStyle: { fontFamily: CHART_FONT, fontSize: 11, color: '#222' },
      ...option,
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

function title(text: string): Option {
  return { text, left: 0, top: 0, textStyle: { fontFamily: CHART_FONT, fontSize: 13, fontWeight: 'bold', color: '#1d2b3a' } };
}

/** A "no data" note in the middle, for a chart whose figures are all zero. */
function emptyNote(lang: ReportLang, width: number, height: number): Option[] {
  return [{ type: 'text', x: width / 2, y: height / 2, style: { text: reportWords[lang].noData, fill: MUTED, font: `13px ${CHART_FONT}`, align: 'center', verticalAlign: 'middle' } }];
}

/** Short axis labels: "12-02" for a date. */
const shortDate = (date: string) => date.slice(5);

/**
 * New cases per local day: bars for a month or less, a line beyond. With `previousDaily` (reports archived before it
 * have none), the previous period as a thin grey line, day by day against the period: its first day under the
 * period's first day, whatever its dates (the axis keeps the period's). It stops early when it is shorter (the same
 * stretch of a running period, a shorter month) and its days beyond the period's last are not drawn.
 */
export function dailyChart(daily: ReportData['cases']['daily'], lang: ReportLang, previousDaily?: ReportData['cases']['previousDaily'], width = FULL_WIDTH, height = 200): string {
  const w = reportWords[lang];
  const bars = daily.length <= 31;
  const counts = daily.map((d) => d.count);
  const barLabel = { show: daily.length <= 14, position: 'top', fontSize: 10 };
  const current = bars
    ? { type: 'bar', name: w.chart.thisPeriod, data: counts, barMaxWidth: 28, label: previousDaily ? { show: false } : barLabel }
    : { type: 'line', name: w.chart.thisPeriod, data: counts, showSymbol: false, lineStyle: { width: 2 }, areaStyle: { opacity: 0.12 } };
  // With the previous period's line over the bars, the bars' figures go above it (ECharts draws a series' labels with
  // the series, so the line would strike through them): an unnamed series of invisible points carries them.
  const figures = previousDaily && bars && barLabel.show
    ? { type: 'scatter', data: counts, symbolSize: 0, silent: true, z: 3, label: { ...barLabel, formatter: '{c}', distance: 5, color: '#222', textBorderColor: '#fff', textBorderWidth: 2 } }
    : undefined;
  const previous = previousDaily && {
    type: 'line',
    name: w.chart.previousPeriod,
    data: previousDaily.slice(0, daily.length).map((d) => d.count),
    // A point per day for a month or less; a one-day report has no line, so its one point is a dash across the bar.
    showSymbol: bars,
    symbol: daily.length === 1 ? 'rect' : 'circle',
    symbolSize: daily.length === 1 ? [36, 2] : 4,
    itemStyle: { color: PREVIOUS_GREY },
    lineStyle: { width: 1.2, color: PREVIOUS_GREY },
  };
  return renderSvg(
    {
      title: title(w.chart.daily),
      ...(previous && { legend: { data: [w.chart.thisPeriod, w.chart.previousPeriod], top: 0, right: 0, itemWidth: 14, itemHeight: 8, textStyle: { fontFamily: CHART_FONT, fontSize: 10 } } }),
      grid: { left: 40, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: daily.map((d) => shortDate(d.date)), axisLabel: { fontSize: 10, hideOverlap: true }, axisTick: { alignWithLabel: true } },
      yAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#e5e9ee' } } },
      series: [current, ...(previous ? [previous] : []), ...(figures ? [figures] : [])],
    },
    width,
    height,
  );
}

/** Horizontal bars of this period against the previous one, the largest on top. */
function comparedBars(rows: readonly CountRow[], heading: string, lang: ReportLang, width: number, limit: number): string {
  const w = reportWords[lang];
  const shown = [...rows].sort((a, b) => b.count - a.count || b.previous - a.previous).slice(0, limit).reverse();
  const height = Math.max(120, 56 + shown.length * 24);
  const empty = shown.every((r) => r.count === 0 && r.previous === 0);
  return renderSvg(
    {
      title: title(heading),
      legend: { top: 0, right: 0, itemWidth: 12, itemHeight: 8, textStyle: { fontFamily: CHART_FONT, fontSize: 10 } },
      grid: { left: 8, right: 32, top: 30, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#e5e9ee' } } },
      yAxis: { type: 'category', data: shown.map((r) => nameIn(r.name, lang)), axisLabel: { fontSize: 10, width: 110, overflow: 'truncate' } },
      series: [
        { type: 'bar', name: w.chart.previousPeriod, data: shown.map((r) => r.previous), itemStyle: { color: '#c3ccd6' }, barMaxWidth: 9, barGap: '10%' },
        { type: 'bar', name: w.chart.thisPeriod, data: shown.map((r) => r.count), itemStyle: { color: PALETTE[0] }, barMaxWidth: 9, label: { show: true, position: 'right', fontSize: 10 } },
      ],
      ...(empty && { graphic: emptyNote(lang, width, height) }),
    },
    width,
    height,
  );
}

export function categoryChart(rows: readonly CountRow[], lang: ReportLang, width = FULL_WIDTH): string {
  return comparedBars(rows, reportWords[lang].chart.byCategory, lang, width, 12);
}

export function streetChart(rows: readonly CountRow[], lang: ReportLang, width = FULL_WIDTH): string {
  return comparedBars(rows, reportWords[lang].chart.byStreet, lang, width, 20);
}

function pie(heading: string, items: Array<{ name: string; value: number; color?: string }>, lang: ReportLang, width: number, height: number): string {
  const total = items.reduce((sum, i) => sum + i.value, 0);
  return renderSvg(
    {
      title: title(heading),
      legend: { orient: 'vertical', right: 0, top: 'middle', itemWidth: 10, itemHeight: 10, textStyle: { fontFamily: CHART_FONT, fontSize: 10 } },
      series: [
        {
          type: 'pie',
          radius: ['38%', '68%'],
          center: ['36%', '56%'],
          data: items.map((i) => ({ name: i.name, value: i.value, ...(i.color && { itemStyle: { color: i.color } }) })),
          label: { show: total > 0, formatter: '{c}', fontSize: 10 },
          labelLine: { length: 6, length2: 6 },
          avoidLabelOverlap: true,
          // All zero: no ring of equal slices, the "no data" note instead.
          stillShowZeroSum: false,
        },
      ],
      ...(total === 0 && { graphic: emptyNote(lang, width, height) }),
    },
    width,
    height,
  );
}

export function sourceChart(rows: readonly CountRow[], lang: ReportLang, width = HALF_WIDTH, height = 220): string {
  return pie(reportWords[lang].chart.bySource, rows.filter((r) => r.count > 0).map((r) => ({ name: nameIn(r.name, lang), value: r.count })), lang, width, height);
}

export function tierChart(t: ReportData['tiers'], lang: ReportLang, width = HALF_WIDTH, height = 220): string {
  const w = reportWords[lang];
  return pie(w.chart.tiers, tiers.map((tier, i) => ({ name: w.tier[tier], value: t[tier], color: TIER_COLOURS[i]! })), lang, width, height);
}

export interface ReportCharts {
  daily: string;
  categories: string;
  sources: string;
  streets: string;
  tiers: string;
}

/** Every chart of the report page. */
export function reportCharts(report: ReportData, lang: ReportLang): ReportCharts {
  return {
    daily: dailyChart(report.cases.daily, lang, report.cases.previousDaily),
    categories: categoryChart(report.cases.byCategory, lang),
    sources: sourceChart(report.cases.bySource, lang),
    streets: streetChart(report.cases.byStreet, lang),
    tiers: tierChart(report.tiers, lang),
  };
}
