/** The report page from a hand-made report: the figures, one inline SVG per chart, no script, every name escaped. */
import { describe, expect, it } from 'vitest';
import { categoryChart, dailyChart, sourceChart, streetChart, tierChart } from '../../../server/reports/charts.js';
import { escapeHtml, renderReportHtml, reportTitle } from '../../../server/reports/html.js';
import { formatChange, formatPeriod, formatRate } from '../../../server/reports/i18n.js';
import { HOSTILE_COMMUNITY, reportFixture } from './fixture.js';

describe('report page (HTML)', () => {
  const report = reportFixture();
  const zh = renderReportHtml(report, 'zh');
  const en = renderReportHtml(report, 'en');

  it('titles the report with scope, kind and period, and says what it covers', () => {
    expect(reportTitle(report, 'zh')).toBe('龙岗区矛盾纠纷 日报 2026年12月2日');
    expect(zh).toContain('<title>龙岗区矛盾纠纷 日报 2026年12月2日</title>');
    expect(zh).toContain('2026年12月1日（共1天）');
    expect(zh).toContain('截至事件 #4321');
    // Generated at 00:30 UTC: 08:30 in Shenzhen.
    expect(zh).toContain('2026-12-03 08:30 (UTC+8)');
    expect(zh).toContain('<html lang="zh-CN">');
  });

  it('prints the key figures with their change', () => {
    for (const figure of ['37', '64.9%', '80.6%', '84.6%', '90.3%', '+8', '上期 29', '新增中已化解 24/37', '期内办结 31 件']) expect(zh).toContain(figure);
    expect(zh).toContain('劳资纠纷');
    expect(zh).toContain('深圳市公安局龙岗分局');
    expect(zh).toContain('12月2日全区新增矛盾纠纷37件');
    // Resolution rate fell from 69.0% to 64.9%: 4.1 points down.
    expect(zh).toContain('−4.1个百分点');
  });

  it('draws every chart as inline SVG and carries no script', () => {
    expect(zh.match(/<svg[\s>]/g)).toHaveLength(5);
    expect(zh).not.toMatch(/<script/i);
    expect(zh).not.toMatch(/\son[a-z]+=/i);
    expect(zh).not.toMatch(/(?:src|href)="(?!#)/i);
  });

  it('writes well-formed SVG: no attribute value broken by a quote', () => {
    const svgs = zh.match(/<svg[\s\S]*?<\/svg>/g)!;
    expect(svgs).toHaveLength(5);
    for (const svg of svgs) expect(svg).not.toMatch(/="[^"]*"[^\s>/]/);
  });

  it('escapes names from the data', () => {
    expect(zh).not.toContain(HOSTILE_COMMUNITY);
    expect(zh).toContain(escapeHtml(HOSTILE_COMMUNITY));
    const svg = streetChart([{ key: 'x', name: { zh: '<b onload="x">坂田</b>&', en: 'x' }, count: 2, previous: 1 }], 'zh');
    expect(svg).not.toContain('<b ');
    expect(svg).toContain('&lt;b');
    expect(svg).not.toMatch(/="[^"]*"[^\s>/]/);
  });

  it('is in English with lang=en', () => {
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('Longgang District · Disputes · Daily report · 2 Dec 2026');
    for (const figure of ['Labour / wage arrears', '64.9%', 'as of event #4321', '37 new cases on 2 Dec']) expect(en).toContain(figure);
    expect(en).not.toContain('劳资纠纷');
  });

  it('lists the overdue, supervised and escalated work after the departments table', () => {
    const heading = zh.indexOf('<h3>超期与升级事项</h3>');
    expect(heading).toBeGreaterThan(zh.indexOf('<h2>部门履职</h2>'));
    expect(heading).toBeLessThan(zh.indexOf('<h2>风险预警</h2>'));
    const section = zh.slice(heading, zh.indexOf('<h2>风险预警</h2>'));
    for (const col of ['案件', '类别', '地点', '部门', '吹哨时间', '应完成', '情况', '层级', '状态']) expect(section).toContain(`<th class="text">${col}</th>`);
    const rows = section.match(/<tr><td[\s\S]*?<\/tr>/g)!.map((tr) => [...tr.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]));
    expect(rows).toEqual([
      ['c3f9a1b2', '劳资纠纷', '坂田街道 · 岗头社区', '龙岗区司法局（牵头）', '12-02 09:00', '12-02 10:00', '升级、督办、超期（报到）', '街道', '未办结'],
      ['a7e20c51', '婚姻家庭纠纷', '坂田街道 · 岗头社区', '龙岗区司法局（协办）', '12-02 10:30', '12-02 11:30', '督办（报到）', '社区', '未办结'],
      ['5b6d0e9f', '劳资纠纷', `平湖街道 · ${escapeHtml(HOSTILE_COMMUNITY)}`, '深圳市公安局龙岗分局（牵头）', '12-02 14:00', '12-02 18:00', '督办、超期（报到、办结）', '社区', '已办结'],
    ]);
    // All of them are listed: no "first 50" line.
    expect(section).not.toContain('列出前');
    expect(en).toContain('<h3>Overdue and escalated work</h3>');
    expect(en).toContain('<td class="text">escalated, supervised, overdue (report-in)</td>');
    expect(en).toContain('Longgang District Justice Bureau (assist)');
  });

  it('says when the list was cut, when there was nothing to list, and leaves it out of a report archived before it', () => {
    const cut = reportFixture();
    cut.dispatch.itemsTotal = 73;
    expect(renderReportHtml(cut, 'zh')).toContain('<p class="note">共 73 项，列出前 3 项</p>');
    expect(renderReportHtml(cut, 'en')).toContain('73 in all; the first 3 are listed.');

    const none = reportFixture();
    none.dispatch.items = [];
    none.dispatch.itemsTotal = 0;
    const page = renderReportHtml(none, 'zh');
    expect(page).toContain('<h3>超期与升级事项</h3><p class="note">本期无超期、督办或升级事项。</p>');
    expect(page).not.toContain('吹哨时间');
    expect(renderReportHtml(none, 'en')).toContain('No overdue, supervised or escalated work this period.');

    const archived = reportFixture();
    delete archived.dispatch.items;
    delete archived.dispatch.itemsTotal;
    const old = renderReportHtml(archived, 'zh');
    expect(old).not.toContain('超期与升级事项');
    expect(old).not.toContain('本期无超期');
  });

  it('draws the previous period in the daily chart as a grey line with a legend, and as before without it', () => {
    const svgOf = (page: string) => page.match(/<section class="trend">[\s\S]*?(<svg[\s\S]*?<\/svg>)/)![1]!;
    const paths = (svg: string) => svg.match(/<path/g)!.length;
    const greyLine = /<path d="M[^"]*" fill="none"[^>]*stroke="#8a96a3"/;
    const archived = reportFixture();
    delete archived.cases.previousDaily;
    const before = svgOf(renderReportHtml(archived, 'zh'));
    const after = svgOf(zh);
    expect(after).toContain('>本期</text>');
    expect(after).toContain('>上期</text>');
    expect(svgOf(en)).toContain('>Previous period</text>');
    expect(before).not.toContain('上期');
    expect(before).not.toMatch(/stroke="#8a96a3"/);
    // One day: the previous period is a grey dash across the bar, the bar's figure still printed.
    expect(paths(after)).toBeGreaterThan(paths(before));
    expect(after).toContain('>37</text>');

    // A week against the previous one, day by day: one more series, a grey line of 7 points, the axis the period's dates.
    const week = Array.from({ length: 7 }, (_, i) => ({ date: `2026-11-${23 + i}`, count: 10 + i }));
    const lastWeek = Array.from({ length: 7 }, (_, i) => ({ date: `2026-11-${16 + i}`, count: 12 - i }));
    const plain = dailyChart(week, 'zh');
    const trend = dailyChart(week, 'zh', lastWeek);
    // The series drawn (the figures' carrier is silent and has no size).
    const series = (svg: string) => new Set([...svg.matchAll(/<path[^>]*ecmeta_series_index="(\d+)"[^>]*>/g)].filter((m) => !m[0].includes('ecmeta_silent')).map((m) => m[1])).size;
    expect(series(trend)).toBe(series(plain) + 1);
    const line = trend.match(greyLine)![0];
    expect(line.match(/[ML]\d/g)).toHaveLength(7);
    expect(plain).not.toMatch(greyLine);
    expect(trend).toContain('>11-23</text>');
    expect(trend).not.toContain('>11-16</text>');
    for (const d of week) expect(trend).toContain(`>${d.count}</text>`);
    // A running period's same stretch is shorter: the line stops; a longer previous month is cut at the period's end.
    expect(dailyChart(week, 'zh', lastWeek.slice(0, 3)).match(greyLine)![0].match(/[ML]\d/g)).toHaveLength(3);
    expect(dailyChart(week.slice(0, 5), 'zh', lastWeek).match(greyLine)![0].match(/[ML]\d/g)).toHaveLength(5);
    expect(dailyChart([], 'zh', [])).toMatch(/^<svg/);
  });

  it('charts an empty period without failing', () => {
    const empty = reportFixture();
    empty.cases.daily = [];
    empty.cases.byCategory = [];
    empty.cases.bySource = [];
    empty.tiers = { community: 0, street: 0, district: 0, containment: null, previousContainment: null };
    for (const svg of [dailyChart([], 'zh'), categoryChart([], 'zh'), sourceChart([], 'zh'), tierChart(empty.tiers, 'zh')]) expect(svg).toMatch(/^<svg/);
    expect(sourceChart([], 'zh')).toContain('暂无数据');
    expect(renderReportHtml(empty, 'zh').match(/<svg[\s>]/g)).toHaveLength(5);
  });

  it('formats rates, changes and periods', () => {
    expect(formatRate(null, 'zh')).toBe('—');
    expect(formatRate(2 / 3, 'en')).toBe('66.7%');
    expect(formatChange(5, 5, 'zh')).toBe('0');
    expect(formatChange(3, 5, 'en')).toBe('−2');
    expect(formatPeriod('weekly', { from: '2026-11-30', to: '2026-12-06' }, 'zh')).toBe('2026年第49周（11月30日至12月6日）');
    expect(formatPeriod('weekly', { from: '2026-12-28', to: '2027-01-03' }, 'zh')).toBe('2026年第53周（2026年12月28日至2027年1月3日）');
    expect(formatPeriod('monthly', { from: '2026-11-01', to: '2026-11-30' }, 'en')).toBe('November 2026');
    expect(formatPeriod('range', { from: '2026-12-28', to: '2027-01-03' }, 'zh')).toBe('2026年12月28日至2027年1月3日');
  });
});
