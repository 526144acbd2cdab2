/**
 * The report archive's storage contract (archive.ts turns rows into reports): what each engine (sqlite-archive.ts,
 * pg-archive.ts) implements, in a module that imports neither, like the audit log's storage.ts.
 */
import type { ReportKind } from '../../shared/reports.js';

export class ReportArchiveUnavailableError extends Error {
  override name = 'ReportArchiveUnavailableError';
}

export interface ArchiveFilter {
  kind?: ReportKind;
  /** One street's reports; without it, every scope's. */
  street?: string;
  limit: number;
}

/** What the list shows, kept in columns beside the frozen body. */
export interface ArchiveRow {
  id: string;
  kind: ReportKind;
  scopeLevel: 'district' | 'street';
  scopeCode: string;
  scopeName: string;
  from: string;
  to: string;
  generatedAt: string;
  cases: number;
  resolved: number;
  alerts: number;
  body: string;
}

/** One engine: rows in, rows out; archive.ts turns them into reports. */
export interface ReportStorage {
  /** Inserts unless the id is there; resolves with whether it inserted. */
  insert(row: ArchiveRow): Promise<boolean>;
  has(id: string): Promise<boolean>;
  body(id: string): Promise<string | undefined>;
  list(filter: ArchiveFilter): Promise<Array<Omit<ArchiveRow, 'body'>>>;
  close(): Promise<void>;
}

/** Newest period first; within one, the district before its streets, then longer periods first. */
export const ARCHIVE_ORDER = `ORDER BY period_from DESC, period_to DESC, scope_level ASC, scope_code ASC, kind ASC`;
