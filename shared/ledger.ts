/**
 * The ledger (台账) contract (issue 8): the .xlsx export of cases with their lifecycle, and the import of historical
 * ledgers (.xlsx or .csv) as intake. An import is a job: upload → column mapping with a preview → validation of
 * every row → commit, with progress at each step. Imported rows become `case.reported` (and `case.resolved` when the
 * ledger has an outcome) keyed on (source, ledger number), so importing the same file twice adds nothing.
 */
import { z } from 'zod';
import { localDateSchema } from './reports.js';
import { caseKinds, caseSources } from './vocabulary.js';

/** What a ledger column can be mapped to. */
export const ledgerFields = [
  'sourceRef',
  'source',
  'reportedAt',
  'kind',
  'category',
  'street',
  'community',
  'title',
  'description',
  'severity',
  'peopleInvolved',
  'applicant',
  'respondent',
  'outcome',
  'resolvedAt',
] as const;
export type LedgerField = (typeof ledgerFields)[number];

/** Fields every import must map (the rest have defaults or may be empty). */
export const requiredLedgerFields: readonly LedgerField[] = ['sourceRef', 'reportedAt', 'category', 'street', 'community', 'title'];

/** Field → the header text of the column that holds it. */
export type ColumnMapping = Partial<Record<LedgerField, string>>;

/** Values used for a field that is not mapped or is empty in a row. */
export const importDefaultsSchema = z.strictObject({
  source: z.enum(caseSources).default('court'),
  kind: z.enum(caseKinds).default('dispute'),
  severity: z.number().int().min(1).max(5).default(2),
  peopleInvolved: z.number().int().min(1).max(100_000).default(1),
});
export type ImportDefaults = z.infer<typeof importDefaultsSchema>;

/** POST /api/ledger/imports/:id/validate and …/commit. */
export const importMappingBodySchema = z.strictObject({
  mapping: z.partialRecord(z.enum(ledgerFields), z.string().min(1).max(200)),
  defaults: importDefaultsSchema.default({ source: 'court', kind: 'dispute', severity: 2, peopleInvolved: 1 }),
});
export type ImportMappingBody = z.input<typeof importMappingBodySchema>;

/** One problem with one row: `row` is the row number as the spreadsheet shows it (the header is row 1). */
export interface RowError {
  row: number;
  /** The sheet of the row (an .xlsx may hold several sheets of the same layout, e.g. one per month). */
  sheet?: string;
  field?: LedgerField;
  /** The header of the column at fault. */
  column?: string;
  /** Why, in English. */
  message: string;
  /**
   * Why, in Chinese, for the duty officer of a Chinese centre. Absent only for an error passed through from the
   * intake checks that has no Chinese wording, where the English `message` is all there is.
   */
  zh?: string;
}

export const importPhases = ['parsing', 'parsed', 'validating', 'validated', 'importing', 'done', 'failed'] as const;
export type ImportPhase = (typeof importPhases)[number];

/** The errors listed in a validation report at most (the counts are always whole). */
export const MAX_LISTED_ROW_ERRORS = 1000;

/** GET /api/ledger/imports/:id */
export interface ImportJob {
  id: string;
  filename: string;
  format: 'xlsx' | 'csv';
  phase: ImportPhase;
  /**
   * Of the current phase: rows parsed, validated or imported so far. While parsing, `total` is an estimate (a CSV's
   * line count) or 0 when not known yet (.xlsx); it is exact from `parsed` on.
   */
  progress: { done: number; total: number };
  /** Data rows in the file (after parsing). */
  rows: number;
  headers: string[];
  /** A mapping guessed from the headers (the export's own headers map fully). */
  suggested: ColumnMapping;
  /** The first rows as read, by header. */
  preview: Array<Record<string, string>>;
  /** .xlsx: the sheets read, in order (those with the data's header row; a totals sheet is skipped). */
  sheets?: string[];
  validation?: {
    rows: number;
    valid: number;
    /** Rows whose case is already in the log (same source and ledger number): importing them adds nothing. */
    duplicates: number;
    errorRows: number;
    errorCount: number;
    /** The first MAX_LISTED_ROW_ERRORS errors, by row. */
    errors: RowError[];
  };
  result?: { cases: number; resolutions: number; duplicates: number };
  /** Why the job failed (phase `failed`), e.g. the file is not a spreadsheet. */
  error?: string;
}

/** GET /api/ledger/export */
export const ledgerExportQuerySchema = z
  .strictObject({
    /** Inclusive local dates of reportedAt. */
    from: localDateSchema,
    to: localDateSchema,
    street: z.string().regex(/^\d{9}$/, 'must be a 9-digit street code').optional(),
    community: z.string().regex(/^\d{12}$/, 'must be a 12-digit community code').optional(),
    category: z.string().min(1).max(60).optional(),
    kind: z.enum(caseKinds).optional(),
    status: z.enum(['open', 'closed']).optional(),
    lang: z.enum(['zh', 'en']).default('zh'),
  })
  .refine((q) => q.from <= q.to, { message: '`to` must not be before `from`', path: ['to'] });
export type LedgerExportQuery = z.infer<typeof ledgerExportQuerySchema>;
