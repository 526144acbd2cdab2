/**
 * The demo's guided first run, as the printed banner says it (server/index.ts): three things to try, in Chinese and
 * English, each with the page and the demo user to use.
 */
export function demoGuide(url: string): string[] {
  return [
    '',
    '  试一试 · Try this',
    `    1. 吹哨：以 duty1 登录值班台 ${url}/#/duty ，在受理队列选一件案件分流并吹哨；再以对应部门（如 dept-labour）登录 ${url}/#/dept 报到，`,
    '       同时看大屏「在办吹哨·点名」里该部门由待报到变为已报到。',
    `       Blow a whistle: sign in as duty1 at ${url}/#/duty, triage a case from the queue and whistle it to a department;`,
    `       sign in as that department (e.g. dept-labour) at ${url}/#/dept to report in, and watch the wall's roll-call (在办吹哨·点名) change.`,
    `    2. 红色预警：在值班台「风险预警」里打开一条红色预警，查看关联案件并据此吹哨；大屏会显示预警横幅。`,
    `       Open a red alert: on the duty desk's risk alerts (风险预警), open a red alert, see its cases and whistle from it; the wall shows its banner.`,
    `    3. 下载报表：以 leader 登录领导视图 ${url}/#/leader ，在「报表」里选日报或周报，下载 PDF 或网页版。`,
    `       Download a report: sign in as leader at ${url}/#/leader, pick a daily or weekly report under 报表 / Reports and download it as PDF or HTML.`,
  ];
}
