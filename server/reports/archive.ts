/**
 * The report archive: reports generated on a schedule (scheduler.ts), frozen as issued. Each is kept once under the
 * id `${kind}:${scope code}:${from}`; a second put of the same id keeps the first (an archived report never
 * changes, even when late events would change its figures). The leader view lists them, newest period first.
 *
 * Engines, picked like the audit log's (server/audit/audit-log.ts): SQLite (`reports.db` in the node's data dir)
 * for one node, or the table `report_archive` in the PostgreSQL schema every node of the log shares.
 */
import type { ArchivedReport, ReportData, ReportKind } from '../../shared/reports.js';
import { PgReportStorage, type PgReportOptions } from './pg-archive.js';
import { SqliteReportStorage } from './sqlite-archive.js';
import type { ArchiveFilter, ReportStorage } from './archive-storage.js';

export { ReportArchiveUnavailableError, type ArchiveFilter, type ArchiveRow, type ReportStorage } from './archive-storage.js';

export function archiveId(kind: ReportKind, scopeCode: string, from: string): string {
  return `${kind}:${scopeCode}:${from}`;
}

export interface ReportArchive {
  /** Freezes the report under its id (set on the stored body); false when that id was archived already. */
  put(report: ReportData): Promise<boolean>;
  has(id: string): Promise<boolean>;
  get(id: string): Promise<ReportData | undefined>;
  /** Newest period first. */
  list(filter: ArchiveFilter): Promise<ArchivedReport[]>;
  close(): Promise<void>;
}

export function reportId(report: Pick<ReportData, 'kind' | 'scope' | 'period'>): string {
  return archiveId(report.kind, report.scope.code, report.period.from);
}

class Archive implements ReportArchive {
  constructor(private readonly storage: ReportStorage) {}

  put(report: ReportData): Promise<boolean> {
    const id = reportId(report);
    const frozen: ReportData = { ...report, id };
    return this.storage.insert({
      id,
      kind: report.kind,
      scopeLevel: report.scope.level,
      scopeCode: report.scope.code,
      scopeName: JSON.stringify(report.scope.name),
      from: report.period.from,
      to: report.period.to,
      generatedAt: report.generatedAt,
      cases: report.cases.total,
      resolved: report.resolution.resolved,
      alerts: report.alerts.raised,
      body: JSON.stringify(frozen),
    });
  }

  has(id: string): Promise<boolean> {
    return this.storage.has(id);
  }

  async get(id: string): Promise<ReportData | undefined> {
    const body = await this.storage.body(id);
    return body === undefined ? undefined : (JSON.parse(body) as ReportData);
  }

  async list(filter: ArchiveFilter): Promise<ArchivedReport[]> {
    const rows = await this.storage.list(filter);
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      scope: { level: r.scopeLevel, code: r.scopeCode, name: JSON.parse(r.scopeName) as ArchivedReport['scope']['name'] },
      period: { from: r.from, to: r.to },
      generatedAt: r.generatedAt,
      headline: { cases: r.cases, resolved: r.resolved, alerts: r.alerts },
    }));
  }

  close(): Promise<void> {
    return this.storage.close();
  }
}

export type ReportArchiveLocation =
  /** The node's data dir: the archive is `reports.db` in it. */
  | { dataDir: string }
  /** A PostgreSQL schema (created if missing) shared by every node of the log. */
  | ({ url: string; schema: string } & Omit<PgReportOptions, 'url' | 'schema'>);

export async function openReportArchive(location: ReportArchiveLocation): Promise<ReportArchive> {
  if ('dataDir' in location) return new Archive(new SqliteReportStorage(location.dataDir));
  const storage = new PgReportStorage(location);
  try {
    await storage.ready();
  } catch (error) {
    await storage.close();
    throw error;
  }
  return new Archive(storage);
}
