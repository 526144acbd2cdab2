import { describe, expect, it } from 'vitest';
import type { ImportJob } from '../../shared/ledger.js';
import { LedgerImport, stepOf } from '../../client/components/reports/ledger-import.svelte.js';
import { errorsByRow, initialMapping, mappingBody, missingFields, sameMapping, type LedgerImportApi } from '../../client/lib/ledger-import-api.js';
import { localDate, quarterOf, reportPeriod, reportProblem, stepPeriod } from '../../client/lib/report-dates.js';
import { archiveHash, archiveListUrl, leaderPicks, archivedReportUrl, dispositionName, ledgerExportUrl, reportUrl } from '../../client/lib/reports-api.js';
import { errorMessage } from '../../client/lib/api-transport.js';

describe('report periods and queries', () => {
  it('takes the district date, not the PC’s', () => {
    // 2026-12-03 17:30 UTC is already the 4th in Shenzhen (UTC+8).
    expect(localDate(Date.parse('2026-12-03T17:30:00Z'), 480)).toBe('2026-12-04');
    expect(localDate(Date.parse('2026-12-03T15:59:00Z'), 480)).toBe('2026-12-03');
  });

  it('knows the day, the Monday-to-Sunday week and the month a date picks', () => {
    expect(reportPeriod('daily', '2026-12-03')).toEqual({ from: '2026-12-03', to: '2026-12-03', days: 1 });
    expect(reportPeriod('weekly', '2026-12-03')).toEqual({ from: '2026-11-30', to: '2026-12-06', days: 7 });
    expect(reportPeriod('weekly', '2026-12-06')).toEqual({ from: '2026-11-30', to: '2026-12-06', days: 7 });
    expect(reportPeriod('weekly', '2026-11-30').from).toBe('2026-11-30');
    expect(reportPeriod('monthly', '2026-02-14')).toEqual({ from: '2026-02-01', to: '2026-02-28', days: 28 });
    expect(reportPeriod('monthly', '2028-02-14').to).toBe('2028-02-29');
    expect(stepPeriod('daily', '2026-03-01', -1)).toBe('2026-02-28');
    expect(stepPeriod('weekly', '2026-12-03', 1)).toBe('2026-12-10');
    expect(stepPeriod('monthly', '2026-01-31', -1)).toBe('2025-12-01');
    expect(stepPeriod('monthly', '2026-12-15', 1)).toBe('2027-01-01');
  });

  it('defaults the ledger to this quarter, and knows the last one', () => {
    expect(quarterOf('2026-12-03')).toEqual({ from: '2026-10-01', to: '2026-12-31' });
    expect(quarterOf('2026-02-03', -1)).toEqual({ from: '2025-10-01', to: '2025-12-31' });
    expect(quarterOf('2026-05-20')).toEqual({ from: '2026-04-01', to: '2026-06-30' });
  });

  it('builds the report query with only what its kind takes', () => {
    const form = { kind: 'daily' as const, date: '2026-12-03', from: '2026-11-01', to: '2026-11-30', street: '' };
    expect(reportUrl(form, 'zh', 'html')).toBe('/api/reports?kind=daily&date=2026-12-03&lang=zh&format=html');
    expect(reportUrl({ ...form, kind: 'range', street: '440307013' }, 'en', 'pdf')).toBe('/api/reports?kind=range&from=2026-11-01&to=2026-11-30&street=440307013&lang=en&format=pdf');
    expect(archivedReportUrl('r/1', 'zh', 'pdf')).toBe('/api/reports/archive/r%2F1?lang=zh&format=pdf');
    expect(archiveListUrl({ kind: '', street: '', limit: 6 })).toBe('/api/reports/archive?limit=6');
    expect(archiveListUrl({ kind: 'weekly' })).toBe('/api/reports/archive?kind=weekly');
    expect(archiveHash('abc')).toBe('#/reports?tab=archive&archive=abc');
  });

  it('says what is wrong with a form before the server would', () => {
    const base = { kind: 'range' as const, date: '', from: '2026-01-01', to: '2026-01-31', street: '' };
    expect(reportProblem(base)).toBeNull();
    expect(reportProblem({ ...base, to: '2025-12-31' })).toEqual({ key: 'reports.problem.order' });
    expect(reportProblem({ ...base, to: '2027-01-02' })).toEqual({ key: 'reports.problem.span', n: 366 });
    expect(reportProblem({ ...base, to: '2026-12-31' })).toBeNull();
    expect(reportProblem({ ...base, kind: 'daily', date: '' })).toEqual({ key: 'reports.problem.date' });
    expect(reportProblem({ ...base, kind: 'daily', date: '2026-02-30' })).toEqual({ key: 'reports.problem.date' });
  });

  it('builds the ledger export query, leaving out "any"', () => {
    expect(ledgerExportUrl({ from: '2026-10-01', to: '2026-12-31', street: '', community: '', category: '', kind: '', status: '' }, 'zh')).toBe(
      '/api/ledger/export?from=2026-10-01&to=2026-12-31&lang=zh',
    );
    expect(ledgerExportUrl({ from: '2026-10-01', to: '2026-12-31', street: '440307013', community: '440307013002', category: 'labour', kind: 'dispute', status: 'closed' }, 'en')).toBe(
      '/api/ledger/export?from=2026-10-01&to=2026-12-31&street=440307013&community=440307013002&category=labour&kind=dispute&status=closed&lang=en',
    );
  });

  it('reads file names and error messages as the server sends them', () => {
    expect(dispositionName(`attachment; filename="report.pdf"; filename*=UTF-8''%E6%97%A5%E6%8A%A5.pdf`, 'x.pdf')).toBe('日报.pdf');
    expect(dispositionName('attachment; filename="ledger.xlsx"', 'x.xlsx')).toBe('ledger.xlsx');
    expect(dispositionName(null, 'x.xlsx')).toBe('x.xlsx');
    expect(errorMessage({ error: { code: 'pdf_unavailable', message: 'PDF rendering is not available' } })).toBe('PDF rendering is not available');
    expect(errorMessage({ error: { code: 'invalid', message: 'bad query', details: [{ path: 'to', message: 'too far' }] } })).toBe('bad query（to: too far）');
    expect(errorMessage('<html>')).toBeUndefined();
  });
});

describe('the leader view’s latest reports', () => {
  const report = (kind: 'daily' | 'weekly' | 'monthly', from: string, street?: string) => ({
    id: `${kind}-${from}-${street ?? 'd'}`,
    kind,
    scope: street ? { level: 'street' as const, code: street, name: { zh: '坂田街道', en: 'Bantian' } } : { level: 'district' as const, code: '440307', name: { zh: '龙岗区', en: 'Longgang' } },
    period: { from, to: from },
    generatedAt: '2026-12-04T00:10:00Z',
    headline: { cases: 1, resolved: 0, alerts: 0 },
  });

  it('lists the last three days, two weeks and the district’s month', () => {
    const picks = leaderPicks({
      daily: [report('daily', '2026-12-01'), report('daily', '2026-12-03'), report('daily', '2026-12-02'), report('daily', '2026-11-30')],
      weekly: [report('weekly', '2026-11-23'), report('weekly', '2026-11-16'), report('weekly', '2026-11-09')],
      monthly: [report('monthly', '2026-11-01', '440307013'), report('monthly', '2026-11-01'), report('monthly', '2026-10-01')],
    });
    expect(picks.map((r) => r.id)).toEqual(['daily-2026-12-03-d', 'daily-2026-12-02-d', 'daily-2026-12-01-d', 'weekly-2026-11-23-d', 'weekly-2026-11-16-d', 'monthly-2026-11-01-d']);
  });

  it('shows a street’s month when the district has none, and nothing of a kind not archived yet', () => {
    const picks = leaderPicks({ daily: [report('daily', '2026-12-03')], monthly: [report('monthly', '2026-11-01', '440307013')] });
    expect(picks.map((r) => r.id)).toEqual(['daily-2026-12-03-d', 'monthly-2026-11-01-440307013']);
  });
});

describe('column mapping', () => {
  const headers = ['编号', '登记时间', '类别', '街道', '社区', '标题', '备注'];

  it('prefills from the suggestion, kept to the file’s own headers, and names what required is missing', () => {
    const mapping = initialMapping({ headers, suggested: { sourceRef: '编号', reportedAt: '登记时间', category: '类别', title: '不存在的列' } });
    expect(mapping).toEqual({ sourceRef: '编号', reportedAt: '登记时间', category: '类别' });
    expect(missingFields(mapping, headers)).toEqual(['street', 'community', 'title']);
    expect(missingFields({ ...mapping, street: '街道', community: '社区', title: '标题' }, headers)).toEqual([]);
  });

  it('sends only mapped fields, and compares mappings by what they name', () => {
    const defaults = { source: 'court' as const, kind: 'dispute' as const, severity: 2, peopleInvolved: 1 };
    expect(mappingBody({ sourceRef: '编号', title: undefined, description: '' }, defaults)).toEqual({ mapping: { sourceRef: '编号' }, defaults });
    expect(sameMapping({ sourceRef: '编号', title: undefined }, { sourceRef: '编号' })).toBe(true);
    expect(sameMapping({ sourceRef: '编号' }, { sourceRef: '备注' })).toBe(false);
  });

  it('groups row errors by row, in row order', () => {
    const grouped = errorsByRow([
      { row: 7, message: 'a' },
      { row: 3, message: 'b' },
      { row: 7, message: 'c' },
    ]);
    expect(grouped.map((g) => [g.row, g.errors.length])).toEqual([
      [3, 1],
      [7, 2],
    ]);
  });
});

describe('the import wizard', () => {
  const headers = ['台账编号', '登记时间', '纠纷类别', '街道', '社区', '标题'];
  const parsed: ImportJob = {
    id: 'j1',
    filename: 'ledger.csv',
    format: 'csv',
    phase: 'parsed',
    progress: { done: 3, total: 3 },
    rows: 3,
    headers,
    suggested: { sourceRef: '台账编号', reportedAt: '登记时间', category: '纠纷类别', street: '街道', community: '社区', title: '标题' },
    preview: [{ 台账编号: 'A1', 登记时间: '2026-11-02 09:00', 纠纷类别: 'labour', 街道: '坂田街道', 社区: '岗头社区', 标题: '欠薪' }],
  };
  const validation = (errorRows: number) => ({
    rows: 3,
    valid: 3 - errorRows,
    duplicates: 0,
    errorRows,
    errorCount: errorRows,
    errors: errorRows ? [{ row: 3, column: '登记时间', field: 'reportedAt' as const, message: 'not a date' }] : [],
  });

  function fakeApi(script: { jobs: ImportJob[]; commit?: 'ok' | 'rejected' }) {
    const calls: string[] = [];
    let reads = 0;
    const api: LedgerImportApi = {
      upload: async (_file, name, onprogress) => {
        calls.push(`upload ${name}`);
        onprogress(50, 100);
        onprogress(100, 100);
        return { ok: true, job: { ...parsed, phase: 'parsing', progress: { done: 0, total: 0 }, headers: [], suggested: {}, preview: [], rows: 0 } };
      },
      job: async () => {
        calls.push('read');
        const job = script.jobs[Math.min(reads++, script.jobs.length - 1)]!;
        return { ok: true, data: job };
      },
      validate: async (_id, body) => {
        calls.push(`validate ${JSON.stringify(body.mapping)}`);
        return { ok: true, result: { ...parsed, phase: 'validating', progress: { done: 0, total: 3 } } };
      },
      commit: async () => {
        calls.push('commit');
        if (script.commit === 'rejected') return { ok: false, error: { kind: 'http', status: 422, code: 'invalid_rows', message: '1 row is invalid' } };
        return { ok: true, result: { ...parsed, phase: 'importing', progress: { done: 0, total: 3 } } };
      },
    };
    return { api, calls };
  }

  const file = (name: string) => ({ name, size: 100, blob: new Blob(['x']) });

  it('uploads, follows the parsing, prefills the mapping; refuses to import while a row is bad', async () => {
    const { api, calls } = fakeApi({
      jobs: [
        { ...parsed, phase: 'parsing', progress: { done: 1, total: 3 } },
        parsed,
        { ...parsed, phase: 'validating', progress: { done: 2, total: 3 } },
        { ...parsed, phase: 'validated', validation: validation(1) },
      ],
    });
    const wizard = new LedgerImport({ api, sleep: async () => undefined });
    expect(wizard.stage).toBe('choose');
    await wizard.choose(file('ledger.csv'));
    expect(wizard.stage).toBe('mapping');
    expect(stepOf(wizard.stage)).toBe(1);
    expect(wizard.upload).toEqual({ loaded: 100, total: 100 });
    expect(wizard.mapping.sourceRef).toBe('台账编号');
    expect(wizard.missing).toEqual([]);
    expect(wizard.canValidate).toBe(true);
    expect(wizard.canCommit).toBe(false);

    await wizard.validate();
    expect(wizard.stage).toBe('validated');
    expect(wizard.job?.validation?.errors[0]?.row).toBe(3);
    expect(wizard.canCommit).toBe(false);
    await wizard.commit();
    expect(calls).not.toContain('commit');
    expect(calls[0]).toBe('upload ledger.csv');
  });

  it('imports a clean file, and asks to validate again after the mapping changes', async () => {
    const { api, calls } = fakeApi({
      jobs: [
        { ...parsed, phase: 'validated', validation: validation(0) },
        { ...parsed, phase: 'importing', progress: { done: 2, total: 3 }, validation: validation(0) },
        { ...parsed, phase: 'done', progress: { done: 3, total: 3 }, validation: validation(0), result: { cases: 3, resolutions: 1, duplicates: 0 } },
      ],
    });
    const wizard = new LedgerImport({ api, sleep: async () => undefined });
    // The upload answers a job already parsed (a small file).
    api.upload = async () => ({ ok: true, job: parsed });
    await wizard.choose(file('ledger.xlsx'));
    await wizard.validate();
    expect(wizard.canCommit).toBe(true);
    wizard.mapping.title = undefined;
    expect(wizard.changed).toBe(true);
    expect(wizard.canCommit).toBe(false);
    expect(wizard.canValidate).toBe(false);
    wizard.mapping.title = '标题';
    expect(wizard.changed).toBe(false);
    wizard.defaults.severity = 4;
    expect(wizard.canCommit).toBe(false);
    wizard.defaults.severity = 2;
    await wizard.commit();
    expect(wizard.stage).toBe('done');
    expect(wizard.job?.result?.cases).toBe(3);
    expect(calls.filter((c) => c === 'commit')).toHaveLength(1);
  });

  it('says why: a wrong file type, an upload refused, a commit refused with nothing imported', async () => {
    const { api } = fakeApi({ jobs: [{ ...parsed, phase: 'validated', validation: validation(0) }], commit: 'rejected' });
    const wizard = new LedgerImport({ api, sleep: async () => undefined });
    await wizard.choose(file('ledger.pdf'));
    expect(wizard.wrongType).toBe(true);
    expect(wizard.stage).toBe('choose');

    const refused = new LedgerImport({ api: { ...api, upload: async () => ({ ok: false, error: { kind: 'http', status: 413, message: 'file too large' } }) }, sleep: async () => undefined });
    await refused.choose(file('big.csv'));
    expect(refused.stage).toBe('choose');
    expect(refused.error).toEqual({ kind: 'http', status: 413, message: 'file too large' });

    api.upload = async () => ({ ok: true, job: parsed });
    await wizard.choose(file('ledger.csv'));
    await wizard.validate();
    await wizard.commit();
    expect(wizard.rejected).toBe(true);
    expect(wizard.error).toMatchObject({ status: 422, message: '1 row is invalid' });
    expect(wizard.stage).toBe('validated');
  });

  it('tells a failed job apart, and starts over on reset', async () => {
    const { api } = fakeApi({ jobs: [{ ...parsed, phase: 'failed', error: 'not a spreadsheet' }] });
    const wizard = new LedgerImport({ api, sleep: async () => undefined });
    await wizard.choose(file('ledger.xlsx'));
    expect(wizard.stage).toBe('failed');
    expect(wizard.job?.error).toBe('not a spreadsheet');
    wizard.reset();
    expect(wizard.stage).toBe('choose');
    expect(wizard.job).toBeNull();
  });
});
