/**
 * The report page: one self-contained HTML document (A4 portrait, printable) with the figures, the summary, the
 * charts as inline SVG (charts.ts) and the tables. No script, no external resource: the app shows it in an iframe
 * under a CSP that allows neither, and headless Chromium prints it to PDF as it is (pdf.ts). Every text from the
 * data (names of streets, communities, categories, departments; the summary) is escaped here.
 */
import type { CountRow, Hotspot, ReportData, ReportLang } from '../../shared/reports.js';
import { alertLevels, caseKinds, outcomes } from '../../shared/vocabulary.js';
import { CHART_FONT, reportCharts, type ReportCharts } from './charts.js';
import { formatChange, formatInstant, formatLocalDate, formatNumber, formatPeriod, formatRate, nameIn, reportWords, type ReportWords } from './i18n.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** The report's title: 龙岗区矛盾纠纷 日报 2026年12月2日. */
export function reportTitle(report: Pick<ReportData, 'kind' | 'scope' | 'period'>, lang: ReportLang): string {
  const w = reportWords[lang];
  const scope = nameIn(report.scope.name, lang);
  const period = formatPeriod(report.kind, report.period, lang);
  return lang === 'zh' ? `${scope}${w.titleSubject} ${w.kind[report.kind]} ${period}` : `${scope} · ${w.titleSubject} · ${w.kind[report.kind]} · ${period}`;
}

const STYLE = `
@page { size: A4 portrait; margin: 14mm 14mm 16mm; }
* { box-sizing: border-box; }
html { background: #e9edf1; }
body { margin: 0; font-family: ${CHART_FONT}; font-size: 10.5pt; line-height: 1.5; color: #1d2b3a; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.page { max-width: 210mm; margin: 0 auto; background: #fff; padding: 14mm; }
@media print { html { background: #fff; } .page { max-width: none; margin: 0; padding: 0; } }
header { border-bottom: 2px solid #b3261e; padding-bottom: 8px; margin-bottom: 12px; }
h1 { font-size: 17pt; margin: 0 0 6px; color: #b3261e; letter-spacing: 0.02em; }
h2 { font-size: 12pt; margin: 16px 0 6px; padding-left: 8px; border-left: 4px solid #2f6fb0; break-after: avoid; }
h3 { font-size: 10.5pt; margin: 10px 0 4px; color: #3b4a5a; }
dl.meta { display: grid; grid-template-columns: auto 1fr auto 1fr; gap: 2px 10px; margin: 0; font-size: 9.5pt; color: #3b4a5a; }
dl.meta dt { font-weight: bold; }
dl.meta dd { margin: 0; }
ul.summary { margin: 0; padding-left: 1.3em; }
ul.summary li { margin: 2px 0; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 6px; }
.card { border: 1px solid #d5dde6; border-radius: 4px; padding: 6px 8px; break-inside: avoid; }
.card .label { font-size: 9pt; color: #5b6b7b; }
.card .value { font-size: 17pt; font-weight: bold; line-height: 1.25; }
.card .delta, .card .note { font-size: 8.5pt; color: #5b6b7b; }
.up { color: #b3261e; }
.down { color: #2c7a4b; }
.chart { margin: 4px 0; break-inside: avoid; }
.chart svg { max-width: 100%; height: auto; display: block; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; align-items: start; break-inside: avoid; }
table { width: 100%; border-collapse: collapse; font-size: 9pt; margin: 4px 0 8px; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border-bottom: 1px solid #e1e6ec; padding: 3px 5px; text-align: right; white-space: nowrap; }
th { background: #f1f4f7; font-weight: bold; color: #3b4a5a; }
th.text, td.text { text-align: left; white-space: normal; }
table.items th, table.items td { white-space: nowrap; font-size: 8.5pt; padding: 3px; }
table.items td:nth-child(3), table.items td:nth-child(4) { white-space: normal; }
p.note { font-size: 9pt; color: #5b6b7b; margin: 2px 0; }
section { break-inside: auto; }
footer { margin-top: 16px; padding-top: 6px; border-top: 1px solid #d5dde6; font-size: 8.5pt; color: #7a8794; }
`;

/**
 * Whether the report being rendered compares with an incomplete previous period (renderReportHtml sets it for the
 * length of one synchronous render): every change then reads "上期数据不完整" instead of a figure.
 */
const rendering = { previousIncomplete: false };

/** A change in a count or a rate, coloured: more cases or alerts is red, a higher rate is green (`goodWhenUp`). */
function delta(current: number | null, previous: number | null, lang: ReportLang, options: { rate?: boolean; goodWhenUp?: boolean } = {}): string {
  if (rendering.previousIncomplete) return escapeHtml(reportWords[lang].previousIncomplete);
  const text = formatChange(current, previous, lang, options.rate);
  if (text === reportWords[lang].none) return '';
  if (current === null || previous === null || current === previous) return escapeHtml(text);
  const up = current > previous;
  const good = options.goodWhenUp ? up : !up;
  return `<span class="${good ? 'down' : 'up'}">${escapeHtml(text)}</span>`;
}

/** The change and the previous figure, "+8 · 上期 29", or only the latter when there is no change to show. */
const against = (deltaHtml: string, previousText: string) => (deltaHtml && previousText ? `${deltaHtml} · ${escapeHtml(previousText)}` : deltaHtml || escapeHtml(previousText));

function card(label: string, value: string, deltaHtml: string, note?: string): string {
  return `<div class="card"><div class="label">${escapeHtml(label)}</div><div class="value">${escapeHtml(value)}</div><div class="delta">${deltaHtml}</div>${note ? `<div class="note">${escapeHtml(note)}</div>` : ''}</div>`;
}

function cards(r: ReportData, lang: ReportLang, w: ReportWords): string {
  const prevCount = (n: number) => (r.previousIncomplete ? '' : w.vsPrevious(formatNumber(n, lang)));
  const prevRate = (n: number | null) => (r.previousIncomplete ? '' : w.vsPrevious(formatRate(n, lang)));
  const kinds = caseKinds.map((k) => `${w.caseKind[k]} ${formatNumber(r.cases.byKind[k] ?? 0, lang)}`).join(' · ');
  return `<div class="cards">
${card(w.card.newCases, formatNumber(r.cases.total, lang), against(delta(r.cases.total, r.cases.previous, lang), prevCount(r.cases.previous)), kinds)}
${card(w.card.resolutionRate, formatRate(r.resolution.resolutionRate, lang), against(delta(r.resolution.resolutionRate, r.resolution.previousResolutionRate, lang, { rate: true, goodWhenUp: true }), prevRate(r.resolution.previousResolutionRate)), w.resolvedOfNew(r.resolution.resolvedOfNew, r.cases.total))}
${card(w.card.mediationRate, formatRate(r.resolution.mediationRate, lang), against(delta(r.resolution.mediationRate, r.resolution.previousMediationRate, lang, { rate: true, goodWhenUp: true }), prevRate(r.resolution.previousMediationRate)), w.ofResolved(r.resolution.resolved))}
${card(w.card.onTimeRate, formatRate(r.dispatch.onTimeRate, lang), against(delta(r.dispatch.onTimeRate, r.dispatch.previousOnTimeRate, lang, { rate: true, goodWhenUp: true }), prevRate(r.dispatch.previousOnTimeRate)), w.ofReportIns(r.dispatch.reportedIn))}
${card(w.card.overdue, formatNumber(r.dispatch.overdue, lang), escapeHtml(w.supervised(r.dispatch.supervised)))}
${card(w.card.escalated, formatNumber(r.dispatch.escalated, lang), escapeHtml(w.returned(r.dispatch.returned)))}
${card(w.card.alerts, formatNumber(r.alerts.raised, lang), against(delta(r.alerts.raised, r.alerts.previous, lang), prevCount(r.alerts.previous)), w.openAlerts(r.alerts.outcome.open))}
${card(w.card.containment, formatRate(r.tiers.containment, lang), against(delta(r.tiers.containment, r.tiers.previousContainment, lang, { rate: true, goodWhenUp: true }), prevRate(r.tiers.previousContainment)))}
</div>`;
}

/** A table of already escaped cells; the first `textColumns` columns are text (left-aligned), the rest figures. */
function table(head: string[], rows: string[][], lang: ReportLang, textColumns = 1, className?: string): string {
  if (rows.length === 0) return `<p class="note">${escapeHtml(reportWords[lang].noData)}</p>`;
  const cls = (i: number) => (i < textColumns ? ' class="text"' : '');
  return `<table${className ? ` class="${className}"` : ''}><thead><tr>${head.map((h, i) => `<th${cls(i)}>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((cells) => `<tr>${cells.map((c, i) => `<td${cls(i)}>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

const num = (n: number | null, lang: ReportLang, digits = 0) => escapeHtml(formatNumber(n, lang, digits));
const rate = (n: number | null, lang: ReportLang) => escapeHtml(formatRate(n, lang));
const share = (n: number, total: number, lang: ReportLang) => rate(total > 0 ? n / total : null, lang);

/** Name, this period, previous, change, share of the period's total. */
function countTable(rows: readonly CountRow[], nameHead: string, lang: ReportLang, total: number): string {
  const w = reportWords[lang];
  return table(
    [nameHead, w.col.count, w.col.previous, w.col.change, w.col.share],
    rows.map((r) => [escapeHtml(nameIn(r.name, lang)), num(r.count, lang), num(r.previous, lang), delta(r.count, r.previous, lang), share(r.count, total, lang)]),
    lang,
  );
}

function hotspotTable(rows: readonly Hotspot[], streetNames: Map<string, string>, lang: ReportLang): string {
  const w = reportWords[lang];
  return table(
    [w.col.community, w.col.street, w.col.count, w.col.previous, w.col.change],
    rows.map((h) => [escapeHtml(nameIn(h.name, lang)), escapeHtml(streetNames.get(h.streetCode) ?? h.streetCode), num(h.count, lang), num(h.previous, lang), delta(h.count, h.previous, lang)]),
    lang,
    2,
  );
}

function departmentTable(r: ReportData, lang: ReportLang): string {
  const w = reportWords[lang];
  return table(
    [w.col.dept, w.col.assigned, w.col.onTimeRate, w.col.meanReportMinutes, w.col.meanResolveHours, w.col.resolved, w.col.overdue, w.col.escalated],
    r.dispatch.departments.map((d) => [
      escapeHtml(nameIn(d.name, lang)),
      num(d.assigned, lang),
      rate(d.onTimeRate, lang),
      num(d.meanReportMinutes, lang, 0),
      num(d.meanResolveHours, lang, 1),
      num(d.resolved, lang),
      num(d.overdue, lang),
      num(d.escalated, lang),
    ]),
    lang,
  );
}

/** The overdue, supervised and escalated assignments; nothing for a report archived before they were listed. */
function itemsSection(r: ReportData, lang: ReportLang): string {
  const items = r.dispatch.items;
  if (items === undefined) return '';
  const w = reportWords[lang];
  const c = w.items.col;
  const heading = `<h3>${escapeHtml(w.items.title)}</h3>`;
  if (items.length === 0) return `${heading}<p class="note">${escapeHtml(w.items.none)}</p>`;
  // Month, day and time: the period gives the year, and the table must fit an A4 page.
  const time = (iso: string) => escapeHtml(formatInstant(iso, r.tzOffsetMinutes).slice(5, 16));
  const total = r.dispatch.itemsTotal ?? items.length;
  const cut = total > items.length ? `<p class="note">${escapeHtml(w.items.cut(total, items.length))}</p>` : '';
  return `${heading}${cut}${table(
    [c.caseId, c.category, c.place, c.dept, c.whistledAt, c.dueAt, c.kinds, c.tier, c.status],
    items.map((i) => [
      escapeHtml(i.caseId.slice(0, 8)),
      escapeHtml(nameIn(i.categoryName, lang)),
      escapeHtml(nameIn(i.place, lang)),
      escapeHtml(lang === 'zh' ? `${nameIn(i.deptName, lang)}（${w.items.role[i.role]}）` : `${nameIn(i.deptName, lang)} (${w.items.role[i.role]})`),
      time(i.whistledAt),
      time(i.dueAt),
      escapeHtml(w.items.situation(i.kinds.map((k) => w.items.kind[k]), i.stages.map((s) => w.items.stage[s]))),
      escapeHtml(w.tier[i.tier]),
      escapeHtml(i.resolved ? w.items.resolved : w.items.open),
    ]),
    lang,
    9,
    'items',
  )}`;
}

function alertTables(r: ReportData, lang: ReportLang): string {
  const w = reportWords[lang];
  const total = r.alerts.raised;
  const levels = table(
    [w.col.level, w.col.count, w.col.share],
    alertLevels.map((l) => [escapeHtml(w.level[l]), num(r.alerts.byLevel[l] ?? 0, lang), share(r.alerts.byLevel[l] ?? 0, total, lang)]),
    lang,
  );
  const outcomeKeys = ['whistled', 'acknowledged', 'closedByOfficer', 'autoClosed', 'open'] as const;
  const standing = table(
    [w.col.outcome, w.col.count, w.col.share],
    outcomeKeys.map((k) => [escapeHtml(w.alertOutcome[k]), num(r.alerts.outcome[k], lang), share(r.alerts.outcome[k], total, lang)]),
    lang,
  );
  const red = r.alerts.red?.length
    ? `<h3>${escapeHtml(w.redAlerts)}</h3>${table(
        [w.col.raisedAt, w.col.place, w.col.rule, w.col.alert, w.col.status],
        r.alerts.red.map((a) => [
          escapeHtml(formatInstant(a.raisedAt, r.tzOffsetMinutes).slice(0, 16)),
          escapeHtml(nameIn(a.place, lang)),
          escapeHtml(nameIn(a.ruleName, lang)),
          escapeHtml(a.title),
          escapeHtml(w.alertStatus[a.status]),
        ]),
        lang,
        5,
      )}`
    : '';
  return `<div class="pair"><div>${levels}</div><div>${standing}</div></div>${r.alerts.byRule.length ? countTable(r.alerts.byRule, w.col.rule, lang, total) : ''}${red}`;
}

function outcomeTable(r: ReportData, lang: ReportLang): string {
  const w = reportWords[lang];
  return table(
    [w.col.outcome, w.col.count, w.col.share],
    outcomes.map((o) => [escapeHtml(w.outcome[o]), num(r.resolution.outcomes[o] ?? 0, lang), share(r.resolution.outcomes[o] ?? 0, r.resolution.resolved, lang)]),
    lang,
  );
}

const chart = (svg: string) => `<div class="chart">${svg}</div>`;

/**
 * The whole page. `charts` defaults to drawing them now (ECharts SSR); pass them to reuse a drawing.
 */
export function renderReportHtml(report: ReportData, lang: ReportLang, charts: ReportCharts = reportCharts(report, lang)): string {
  rendering.previousIncomplete = report.previousIncomplete === true;
  try {
    return renderPage(report, lang, charts);
  } finally {
    rendering.previousIncomplete = false;
  }
}

function renderPage(report: ReportData, lang: ReportLang, charts: ReportCharts): string {
  const w = reportWords[lang];
  const r = report;
  const title = reportTitle(r, lang);
  const streetNames = new Map(r.cases.byStreet.map((s) => [s.key, nameIn(s.name, lang)]));
  const periodText = (p: { from: string; to: string; days: number }) => {
    const dates = p.from === p.to ? formatLocalDate(p.from, lang) : `${formatLocalDate(p.from, lang)} – ${formatLocalDate(p.to, lang)}`;
    return lang === 'zh' ? `${dates}（${w.days(p.days)}）` : `${dates} (${w.days(p.days)})`;
  };
  const summary = r.summary[lang]?.length ? r.summary[lang] : [w.noSummary];
  const scopeName = nameIn(r.scope.name, lang);

  return `<!DOCTYPE html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<div class="page">
<header>
<h1>${escapeHtml(title)}</h1>
<dl class="meta">
<dt>${escapeHtml(w.scope)}</dt><dd>${escapeHtml(scopeName)}</dd>
<dt>${escapeHtml(w.generated)}</dt><dd>${escapeHtml(formatInstant(r.generatedAt, r.tzOffsetMinutes))} · ${escapeHtml(w.asOfSeq(r.asOfSeq))}</dd>
<dt>${escapeHtml(w.period)}</dt><dd>${escapeHtml(periodText(r.period))}${r.ongoing ? escapeHtml(lang === 'zh' ? `（${w.ongoing}）` : ` (${w.ongoing})`) : ''}</dd>
<dt>${escapeHtml(w.previous)}</dt><dd>${escapeHtml(periodText(r.previous))}${r.ongoing ? escapeHtml(lang === 'zh' ? `（${w.sameStretch}）` : ` (${w.sameStretch})`) : ''}${r.previousIncomplete ? `<span class="incomplete" data-previous-incomplete="true">${escapeHtml(lang === 'zh' ? `（${w.previousIncompleteSince(r.dataSince ? formatInstant(r.dataSince, r.tzOffsetMinutes) : '—')}）` : ` (${w.previousIncompleteSince(r.dataSince ? formatInstant(r.dataSince, r.tzOffsetMinutes) : '—')})`)}</span>` : ''}</dd>
</dl>
</header>

<section class="summary">
<h2>${escapeHtml(w.summary)}</h2>
<ul class="summary">${summary.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>
</section>

<section class="figures">
<h2>${escapeHtml(w.figures)}</h2>
${cards(r, lang, w)}
<p class="note">${escapeHtml(w.resolvedLine(r.resolution.resolved, r.resolution.previous, r.resolution.openNow))}</p>
<p class="note">${escapeHtml(w.dispatch)}${lang === 'zh' ? '：' : ': '}${escapeHtml(w.dispatchLine({ whistles: r.dispatch.whistles, assignments: r.dispatch.assignments, reportedIn: r.dispatch.reportedIn, onTime: r.dispatch.onTimeReportIn }))}</p>
</section>

<section class="trend">
<h2>${escapeHtml(w.sections.trend)}</h2>
${chart(charts.daily)}
</section>

<section class="categories">
<h2>${escapeHtml(w.sections.categories)}</h2>
${chart(charts.categories)}
${countTable(r.cases.byCategory, w.col.name, lang, r.cases.total)}
</section>

<section class="sources-tiers">
<h2>${escapeHtml(w.sections.sources)} · ${escapeHtml(w.sections.tiers)}</h2>
<div class="pair">${chart(charts.sources)}${chart(charts.tiers)}</div>
<div class="pair"><div>${countTable(r.cases.bySource, w.col.name, lang, r.cases.total)}</div><div><h3>${escapeHtml(w.sections.outcomes)}</h3>${outcomeTable(r, lang)}</div></div>
</section>

<section class="streets">
<h2>${escapeHtml(w.sections.streets)}</h2>
${chart(charts.streets)}
${countTable(r.cases.byStreet, w.col.street, lang, r.cases.total)}
</section>

<section class="communities">
<h2>${escapeHtml(w.sections.communities)}</h2>
${hotspotTable(r.hotspots.top, streetNames, lang)}
<h3>${escapeHtml(w.sections.rising)}</h3>
${hotspotTable(r.hotspots.rising, streetNames, lang)}
</section>

<section class="departments">
<h2>${escapeHtml(w.sections.departments)}</h2>
${departmentTable(r, lang)}
${itemsSection(r, lang)}
</section>

<section class="alerts">
<h2>${escapeHtml(w.sections.alerts)}</h2>
${alertTables(r, lang)}
</section>

<footer>${escapeHtml(w.footer)}${r.id ? ` · ${escapeHtml(r.id)}` : ''}</footer>
</div>
</body>
</html>
`;
}
