/**
 * The report's generated summary: four to six short sentences in Chinese and English, with the notable figures and
 * their change against the previous period. Deterministic (the same report gives the same words), percentages to one
 * decimal, rate changes in percentage points; empty periods are said plainly ("本期无新增案件").
 *
 * The sentences, in order: new cases (always); the category that rose most, or the largest one when none rose (when
 * there are new cases); resolution and mediation (always); dispatch: on-time report-in, the slowest department to
 * report in (of two or more), overdue / supervised / escalated when non-zero (always); alerts, red ones named
 * (always); the top hotspot community (when there is one).
 */
import type { CountRow, ReportData } from '../../shared/reports.js';
import type { AlertLevel } from '../../shared/vocabulary.js';

type Report = Omit<ReportData, 'summary'>;

/** A ratio as a percentage in tenths, rounded once so the shown figures and their differences agree. */
const tenths = (r: number) => Math.round(r * 1000);
const pct = (r: number) => `${(tenths(r) / 10).toFixed(1)}%`;

/** Said instead of a change when the log began after the previous period did (report.previousIncomplete). */
const INCOMPLETE = { zh: '上期数据不完整，不作比较', en: 'not compared: the previous period is incomplete' };

/** "较上期增加 15 件（+14.3%）" / "up 15 (+14.3%)". */
function countChange(cur: number, prev: number, unitZh: string, incomplete = false): { zh: string; en: string } {
  if (incomplete) return INCOMPLETE;
  const d = cur - prev;
  if (d === 0) return { zh: '与上期持平', en: 'the same as the previous period' };
  const rel = prev > 0 ? `${d > 0 ? '+' : '-'}${(Math.round((Math.abs(d) / prev) * 1000) / 10).toFixed(1)}%` : '';
  return {
    zh: `较上期${d > 0 ? '增加' : '减少'} ${Math.abs(d)} ${unitZh}${rel ? `（${rel}）` : ''}`,
    en: `${d > 0 ? 'up' : 'down'} ${Math.abs(d)}${rel ? ` (${rel})` : ''} on the previous period`,
  };
}

/** "（较上期上升 2.1 个百分点）" / " (up 2.1 points)"; empty without a previous rate. */
function pointChange(cur: number | null, prev: number | null, incomplete = false): { zh: string; en: string } {
  if (cur === null || prev === null || incomplete) return { zh: '', en: '' };
  const d = tenths(cur) - tenths(prev);
  if (d === 0) return { zh: '（与上期持平）', en: ' (unchanged)' };
  const v = (Math.abs(d) / 10).toFixed(1);
  return d > 0 ? { zh: `（较上期上升 ${v} 个百分点）`, en: ` (up ${v} points)` } : { zh: `（较上期下降 ${v} 个百分点）`, en: ` (down ${v} points)` };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function minutesText(m: number): { zh: string; en: string } {
  if (m < 120) return { zh: `${m} 分钟`, en: `${m} min` };
  const h = (m / 60).toFixed(1);
  return { zh: `${h} 小时`, en: `${h} h` };
}

const levelNames: Record<AlertLevel, { zh: string; en: string }> = {
  red: { zh: '红色', en: 'red' },
  orange: { zh: '橙色', en: 'orange' },
  yellow: { zh: '黄色', en: 'yellow' },
  blue: { zh: '蓝色', en: 'blue' },
};

const byKey = (a: CountRow, b: CountRow) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * While the period is running its figures are compared with the same stretch of the previous one (compute.ts): the
 * sentences say so ("较上期同期", "the same stretch of the previous period").
 */
function sameStretch(lines: Record<'zh' | 'en', string[]>): Record<'zh' | 'en', string[]> {
  return {
    zh: lines.zh.map((s) => s.replace(/上期(?!同期)/g, '上期同期')),
    en: lines.en.map((s) => s.replace(/the previous period/g, 'the same stretch of the previous period')),
  };
}

export function summarize(report: Report): Record<'zh' | 'en', string[]> {
  const lines = summaryLines(report);
  return report.ongoing ? sameStretch(lines) : lines;
}

function summaryLines(report: Report): Record<'zh' | 'en', string[]> {
  const zh: string[] = [];
  const en: string[] = [];
  const say = (s: { zh: string; en: string }) => {
    zh.push(s.zh);
    en.push(s.en);
  };
  const { cases, resolution, dispatch, alerts, hotspots } = report;
  const incomplete = report.previousIncomplete === true;

  // New cases.
  if (cases.total === 0) {
    say(
      cases.previous > 0
        ? { zh: `本期无新增案件，上期新增 ${cases.previous} 件。`, en: `No new cases this period (${cases.previous} in the previous period).` }
        : { zh: '本期无新增案件。', en: 'No new cases this period.' },
    );
  } else {
    const change = countChange(cases.total, cases.previous, '件', incomplete);
    const petitions = cases.byKind.petition ?? 0;
    const disputes = cases.byKind.dispute ?? 0;
    say(
      petitions === 0
        ? { zh: `本期新增矛盾纠纷 ${cases.total} 件，${change.zh}。`, en: `${plural(cases.total, 'new dispute')} this period, ${change.en}.` }
        : {
            zh: `本期新增案件 ${cases.total} 件（矛盾纠纷 ${disputes} 件、信访 ${petitions} 件），${change.zh}。`,
            en: `${plural(cases.total, 'new case')} this period (${plural(disputes, 'dispute')}, ${plural(petitions, 'petition')}), ${change.en}.`,
          },
    );

    // The category that rose most, else the largest.
    const rose = cases.byCategory
      .filter((r) => r.count > r.previous)
      .sort((a, b) => b.count - b.previous - (a.count - a.previous) || b.count - a.count || byKey(a, b))[0];
    if (rose) {
      const d = rose.count - rose.previous;
      say({
        zh: `${rose.name.zh}增加最多：${rose.count} 件，较上期增加 ${d} 件。`,
        en: `${rose.name.en} rose most: ${plural(rose.count, 'case')}, up ${d} on the previous period.`,
      });
    } else {
      const largest = [...cases.byCategory].sort((a, b) => b.count - a.count || byKey(a, b))[0];
      if (largest && largest.count > 0) {
        const share = pct(largest.count / cases.total);
        say({
          zh: `${largest.name.zh}最多：${largest.count} 件，占 ${share}。`,
          en: `${largest.name.en} was the largest category: ${plural(largest.count, 'case')}, ${share} of new cases.`,
        });
      }
    }
  }

  // Resolution and mediation.
  {
    const parts = { zh: '', en: '' };
    if (resolution.resolved === 0) {
      parts.zh = '本期无办结案件';
      parts.en = 'No cases resolved this period';
    } else {
      const m = pointChange(resolution.mediationRate, resolution.previousMediationRate, incomplete);
      parts.zh = `本期办结案件 ${resolution.resolved} 件，其中调解成功 ${resolution.outcomes.mediated} 件，调解成功率 ${pct(resolution.mediationRate!)}${m.zh}`;
      parts.en = `${plural(resolution.resolved, 'case')} resolved this period, ${resolution.outcomes.mediated} by mediation: a mediation rate of ${pct(resolution.mediationRate!)}${m.en}`;
    }
    if (resolution.resolutionRate !== null) {
      const r = pointChange(resolution.resolutionRate, resolution.previousResolutionRate, incomplete);
      parts.zh += `；本期新增案件已化解 ${resolution.resolvedOfNew} 件，化解率 ${pct(resolution.resolutionRate)}${r.zh}`;
      parts.en += `; ${resolution.resolvedOfNew} of the period's ${cases.total} new cases resolved: ${pct(resolution.resolutionRate)}${r.en}`;
    }
    say({ zh: `${parts.zh}。`, en: `${parts.en}.` });
  }

  // Dispatch.
  if (dispatch.whistles === 0 && dispatch.assignments === 0) {
    say({ zh: '本期未吹哨派单。', en: 'No whistles blown this period.' });
  } else {
    let sZh = `本期吹哨 ${dispatch.whistles} 次、派单 ${dispatch.assignments} 个部门次`;
    let sEn = `${plural(dispatch.whistles, 'whistle')} blown to ${plural(dispatch.assignments, 'department part')}`;
    if (dispatch.onTimeRate === null) {
      sZh += '，尚无部门报到';
      sEn += ', none reported in yet';
    } else {
      const c = pointChange(dispatch.onTimeRate, dispatch.previousOnTimeRate, incomplete);
      sZh += `，按时报到率 ${pct(dispatch.onTimeRate)}${c.zh}`;
      sEn += `; on-time report-in ${pct(dispatch.onTimeRate)}${c.en}`;
    }
    const reporting = dispatch.departments.filter((d) => d.meanReportMinutes !== null);
    if (reporting.length >= 2) {
      const slowest = [...reporting].sort((a, b) => b.meanReportMinutes! - a.meanReportMinutes! || (a.deptId < b.deptId ? -1 : 1))[0]!;
      const t = minutesText(slowest.meanReportMinutes!);
      sZh += `，平均报到最慢的是${slowest.name.zh}（${t.zh}）`;
      sEn += `; slowest to report in: ${slowest.name.en} (${t.en} on average)`;
    }
    const late: Array<{ zh: string; en: string }> = [];
    if (dispatch.overdue) late.push({ zh: `超时 ${dispatch.overdue} 件次`, en: `${dispatch.overdue} overdue` });
    if (dispatch.supervised) late.push({ zh: `督办 ${dispatch.supervised} 次`, en: `${plural(dispatch.supervised, 'supervision')}` });
    if (dispatch.escalated) late.push({ zh: `升级 ${dispatch.escalated} 次`, en: `${plural(dispatch.escalated, 'escalation')}` });
    if (late.length) {
      sZh += `；${late.map((l) => l.zh).join('、')}`;
      sEn += `; ${late.map((l) => l.en).join(', ')}`;
    }
    say({ zh: `${sZh}。`, en: `${sEn}.` });
  }

  // Alerts.
  if (alerts.raised === 0) {
    say(
      alerts.previous > 0
        ? { zh: `本期无风险预警（上期 ${alerts.previous} 条）。`, en: `No alerts raised this period (${alerts.previous} in the previous period).` }
        : { zh: '本期无风险预警。', en: 'No alerts raised this period.' },
    );
  } else {
    const change = countChange(alerts.raised, alerts.previous, '条', incomplete);
    const levels = (Object.keys(levelNames) as AlertLevel[]).filter((l) => alerts.byLevel[l] > 0);
    const red = alerts.red ?? [];
    const named = red.slice(0, 3);
    const redZh = named.length ? `（${named.map((a) => `${a.place.zh}·${a.ruleName.zh}`).join('、')}${red.length > named.length ? '等' : ''}）` : '';
    const redEn = named.length ? ` (${named.map((a) => `${a.ruleName.en} at ${a.place.en}`).join('; ')}${red.length > named.length ? '; …' : ''})` : '';
    const levelZh = levels.map((l) => `${levelNames[l].zh} ${alerts.byLevel[l]} 条${l === 'red' ? redZh : ''}`).join('、');
    const levelEn = levels.map((l) => `${alerts.byLevel[l]} ${levelNames[l].en}${l === 'red' ? redEn : ''}`).join(', ');
    const o = alerts.outcome;
    const closed = o.closedByOfficer + o.autoClosed;
    const open = o.acknowledged + o.open;
    say({
      zh: `本期发出风险预警 ${alerts.raised} 条，${change.zh}，其中${levelZh}；已吹哨 ${o.whistled} 条，已关闭 ${closed} 条，在办 ${open} 条。`,
      en: `${plural(alerts.raised, 'alert')} raised, ${change.en}: ${levelEn}; ${o.whistled} whistled, ${closed} closed, ${open} still open.`,
    });
  }

  // The top hotspot.
  const hot = hotspots.top[0];
  if (hot) {
    const street = report.cases.byStreet.find((s) => s.key === hot.streetCode)?.name;
    const d = hot.count - hot.previous;
    const changeZh = d > 0 ? `较上期增加 ${d} 件` : d < 0 ? `较上期减少 ${-d} 件` : '与上期持平';
    const changeEn = d > 0 ? `up ${d}` : d < 0 ? `down ${-d}` : 'unchanged';
    say({
      zh: `新增案件最多的社区是${street && report.scope.level === 'district' ? street.zh : ''}${hot.name.zh}（${hot.count} 件，${changeZh}）。`,
      en: `The community with the most new cases: ${hot.name.en}${street ? `, ${street.en}` : ''} (${hot.count}, ${changeEn}).`,
    });
  }
  return { zh, en };
}
