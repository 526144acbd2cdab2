/**
 * Reports benchmark (issue 8). Builds N case records in memory (a quarter whistled, reported in and resolved; spread
 * over 60 days around the month measured) and times, median of several runs each, in this one run:
 *   - baseline: `dispatchMetrics` over the same cases and month (what the duty desk's GET /api/metrics does);
 *   - the monthly district report (`computeReport`: every breakdown, the dispatch metrics twice, alerts, hotspots, summary);
 *   - the report page (`renderReportHtml`, its ECharts SVG charts included);
 *   - with Chromium: the PDF of that page, against a one-line page printed by the same browser.
 * It prints the table and never fails on a figure.
 *
 * Usage: npx tsx bench/reports.ts [--cases 200000] [--runs 5]
 */
import { loadDistrictData } from '../server/district-data.js';
import { recordFromReport, type CaseRecord } from '../server/domain/case-index.js';
import { dispatchMetrics } from '../server/domain/metrics.js';
import { computeReport } from '../server/reports/compute.js';
import { renderReportHtml } from '../server/reports/html.js';
import { PdfRenderer } from '../server/reports/pdf.js';
import { resolvePeriod } from '../server/reports/period.js';

const TZ = 480;
const DAY = 86_400_000;
const HOUR = 3_600_000;

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(runs: number, f: () => unknown): Promise<number> {
  await f(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

export function syntheticCases(n: number, monthStartMs: number): CaseRecord[] {
  const district = loadDistrictData('longgang');
  const streets = district.info.streets.map((s) => s.code);
  const categories = district.categories.map((c) => c.code);
  const depts = district.departments.map((d) => d.id);
  const cases: CaseRecord[] = [];
  for (let i = 0; i < n; i++) {
    const streetCode = streets[(i * 7) % streets.length]!;
    const communities = district.communitiesOf(streetCode);
    const reported = monthStartMs - 30 * DAY + ((i * 2_654_435_761) % (60 * DAY));
    const c = recordFromReport(
      {
        caseId: `b${i}`,
        kind: i % 10 === 0 ? 'petition' : 'dispute',
        category: categories[(i * 3) % categories.length]!,
        source: (['hotline', 'grid', 'walkin', 'court', 'police', 'online'] as const)[i % 6]!,
        streetCode,
        communityCode: communities[i % communities.length]!,
        severity: 1 + (i % 5),
        peopleInvolved: 1 + (i % 4),
        weight: 3,
        reportedAt: new Date(reported).toISOString(),
        title: 't',
        parties: [],
      },
      i + 1,
      undefined,
    );
    if (i % 4 === 0) {
      const t = reported + HOUR;
      const at = (h: number) => new Date(t + h * HOUR).toISOString();
      c.status = 'resolved';
      c.tier = (['community', 'street', 'district'] as const)[i % 3]!;
      c.outcome = i % 8 === 0 ? 'mediated' : 'withdrawn';
      c.resolvedAt = at(20);
      c.whistleCount = 1;
      c.whistle = {
        whistleId: `w${i}`,
        urgency: 'normal',
        tier: c.tier,
        whistledAt: new Date(t).toISOString(),
        closedAt: at(20),
        assignments: [
          { deptId: depts[i % depts.length]!, role: 'lead', reportDueAt: at(1), reportEscalateAt: at(2), resolveDueAt: at(48), resolveEscalateAt: at(96), status: 'closed', reportedAt: at((i % 3) * 0.5), late: i % 3 === 2, supervised: [], escalated: [] },
        ],
      };
    }
    cases.push(c);
  }
  return cases;
}

async function main(): Promise<void> {
  const n = option('--cases', 200_000);
  const runs = option('--runs', 5);
  const district = loadDistrictData('longgang');
  const now = Date.parse('2026-12-03T09:00:00+08:00');
  const p = resolvePeriod({ kind: 'monthly', date: '2026-11-15' }, now, TZ);
  const cases = syntheticCases(n, p.period.startMs);
  const sources = { cases, alerts: [], seq: n, district, tzOffsetMinutes: TZ };
  console.log(`[reports] ${n.toLocaleString('en')} cases, month ${p.period.from}–${p.period.to}, median of ${runs}`);

  const baseline = await time(runs, () => dispatchMetrics(cases, { groupBy: 'department', from: p.period.startMs, to: p.period.endMs }, now));
  const report = computeReport(sources, { kind: 'monthly', ...p }, now);
  const compute = await time(runs, () => computeReport(sources, { kind: 'monthly', ...p }, now));
  const html = renderReportHtml(report, 'zh');
  const render = await time(runs, () => renderReportHtml(report, 'zh'));
  const rows: Array<[string, string]> = [
    ['baseline: dispatchMetrics, one month (ms)', baseline.toFixed(1)],
    ['monthly district report (ms)', compute.toFixed(1)],
    ['ratio report / baseline', (compute / baseline).toFixed(2)],
    ['report page with 5 SVG charts (ms)', render.toFixed(1)],
    ['report page size (KB)', (Buffer.byteLength(html) / 1024).toFixed(0)],
  ];

  const pdf = new PdfRenderer();
  if (pdf.available) {
    try {
      const blank = '<!doctype html><meta charset="utf-8"><p>基准</p>';
      const pdfBaseline = await time(runs, () => pdf.render(blank));
      const pdfReport = await time(runs, () => pdf.render(html));
      const bytes = (await pdf.render(html)).length;
      rows.push(['baseline: PDF of a one-line page (ms)', pdfBaseline.toFixed(0)], ['PDF of the monthly report (ms)', pdfReport.toFixed(0)], ['PDF size (KB)', (bytes / 1024).toFixed(0)]);
    } finally {
      await pdf.close();
    }
  } else {
    rows.push(['PDF', `skipped: no Chromium at ${pdf.executablePath}`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  console.log(`  (report: ${report.cases.total.toLocaleString('en')} new cases, ${report.resolution.resolved.toLocaleString('en')} resolved, ${report.dispatch.departments.length} departments)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
