/**
 * Import jobs of historical ledgers: upload → parse (in the background, in chunks) → column mapping with a preview →
 * validation of every row → commit through the real Ingestor in batches, so imported cases enter the log like any
 * other intake, deduplicated on (source, ledger number).
 *
 * Jobs live in this node's memory only: each is kept for an hour after it was last touched, at most MAX_JOBS at once
 * (the least recently used idle job makes room; when every job is busy a new upload is refused with 429). A job is
 * visible only to the user who uploaded it (it holds the file's unmasked rows). In a multi-node deployment the
 * requests of one import must reach the node that holds its job (sticky sessions); another node answers 404.
 *
 * A commit reruns the validation against the log as it is then and appends nothing unless every row is valid. The
 * batches are then appended one after another: if the log fails part-way (or a concurrent intake makes a batch
 * invalid), the job fails saying how far it got, and committing again finishes the import: rows already in the log
 * count as duplicates.
 */
import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { IntakeEvent } from '../../shared/intake.js';
import { MAX_LISTED_ROW_ERRORS, requiredLedgerFields, type ColumnMapping, type ImportDefaults, type ImportJob, type LedgerField, type RowError } from '../../shared/ledger.js';
import type { DistrictData } from '../district-data.js';
import type { CaseLookup } from '../domain/intake.js';
import { IntakeRejected, type Ingestor } from '../ingest.js';
import { StoreUnavailableError } from '../store/event-store.js';
import { HttpError, invalid, noSuch } from '../api/errors.js';
import { suggestMapping, vocabulary, type Vocabulary } from './columns.js';
import { cellsOf, detectFormat, LedgerFileError, parseCsv, parseXlsx, sheetOf, type RowTable } from './parse.js';
import { planRow, quoteZh, type RowContext } from './rows.js';

export const JOB_TTL_MS = 60 * 60_000;
export const MAX_JOBS = 4;
/** Events per append: a row's events always go in one batch. */
export const IMPORT_BATCH = 500;
const PREVIEW_ROWS = 20;
/** A file still not read after this long (a pathological workbook) fails, so its job stops holding a slot. */
export const PARSE_TIMEOUT_MS = 5 * 60_000;
const VALIDATE_YIELD_EVERY = 1_000;

export interface ImportDeps {
  district: DistrictData;
  cases: CaseLookup;
  ingestor: Ingestor;
  clock: () => number;
  tzOffsetMinutes: number;
}

interface Job {
  view: ImportJob;
  owner: string;
  body?: Buffer;
  table?: RowTable;
  busy: boolean;
  touched: number;
  /** Valid rows of the last validation that resolve a case (for the commit's audit entry). */
  resolutions?: number;
}

type Validation = NonNullable<ImportJob['validation']>;

export class ImportJobs {
  readonly #jobs = new Map<string, Job>();
  readonly #vocab: Vocabulary;
  /** For /metrics (server/ops/metrics.ts): imports running now, finished since start by outcome, rows committed. */
  readonly stats = { running: 0, done: 0, failed: 0, rows: 0 };

  constructor(private readonly deps: ImportDeps) {
    this.#vocab = vocabulary(deps.district);
  }

  #sweep(now: number): void {
    for (const [id, job] of this.#jobs) if (!job.busy && now - job.touched > JOB_TTL_MS) this.#jobs.delete(id);
  }

  /** Takes an upload and starts parsing it; answers the job at once (phase `parsing`). */
  create(owner: string, filename: string, body: Buffer): ImportJob {
    const now = this.deps.clock();
    this.#sweep(now);
    if (this.#jobs.size >= MAX_JOBS) {
      const idle = [...this.#jobs.entries()].filter(([, j]) => !j.busy).sort((a, b) => a[1].touched - b[1].touched)[0];
      if (!idle) throw new HttpError(429, 'too_many_imports', `${MAX_JOBS} imports are running on this server; try again when one has finished`, undefined, { params: { max: MAX_JOBS } });
      this.#jobs.delete(idle[0]);
    }
    const format = detectFormat(body);
    const job: Job = {
      owner,
      body,
      busy: true,
      touched: now,
      view: { id: randomUUID(), filename, format, phase: 'parsing', progress: { done: 0, total: 0 }, rows: 0, headers: [], suggested: {}, preview: [] },
    };
    this.#jobs.set(job.view.id, job);
    void this.#parse(job);
    return this.#snapshot(job);
  }

  async #parse(job: Job): Promise<void> {
    const progress = (done: number, total: number) => {
      job.view.progress = { done, total };
    };
    try {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new LedgerFileError('reading the file took too long')), PARSE_TIMEOUT_MS);
        timer.unref();
      });
      const parsing = job.view.format === 'xlsx' ? parseXlsx(job.body!, progress) : parseCsv(job.body!, progress);
      parsing.catch(() => undefined);
      const table = await Promise.race([parsing, timeout]).finally(() => clearTimeout(timer));
      if (table.rows.length === 0) throw new LedgerFileError('the file has a header row but no data rows');
      job.table = table;
      Object.assign(job.view, {
        phase: 'parsed',
        progress: { done: table.rows.length, total: table.rows.length },
        rows: table.rows.length,
        headers: table.headers,
        suggested: suggestMapping(table.headers),
        preview: table.rows.slice(0, PREVIEW_ROWS).map((_, i) => {
          const cells = cellsOf(table, i);
          return Object.fromEntries(table.headers.map((h, c) => [h, cells[c] ?? '']));
        }),
        ...(job.view.format === 'xlsx' && { sheets: table.sheets.map((s) => s.name) }),
      } satisfies Partial<ImportJob>);
    } catch (error) {
      job.view.phase = 'failed';
      job.view.error = error instanceof LedgerFileError ? error.message : 'the file could not be read';
    } finally {
      job.body = undefined;
      job.busy = false;
    }
  }

  /** The job, if it exists, has not expired and belongs to `owner`; else 404. */
  get(id: string, owner: string): Job {
    const now = this.deps.clock();
    this.#sweep(now);
    const job = this.#jobs.get(id);
    // Another user's job answers exactly as a missing one.
    if (!job || job.owner !== owner) throw noSuch('import (imports are kept for an hour)');
    job.touched = now;
    return job;
  }

  view(job: Job): ImportJob {
    return this.#snapshot(job);
  }

  #snapshot(job: Job): ImportJob {
    return structuredClone(job.view);
  }

  /** Checks a mapping against the file's headers: every required field mapped, every column there. */
  #context(job: Job, mapping: ColumnMapping, defaults: ImportDefaults, decide: boolean): RowContext {
    const table = this.#ready(job);
    const errors = [];
    const columns: Partial<Record<LedgerField, number>> = {};
    for (const field of requiredLedgerFields) if (!mapping[field]) errors.push({ path: `mapping.${field}`, message: 'must be mapped to a column' });
    for (const [field, header] of Object.entries(mapping) as Array<[LedgerField, string]>) {
      const index = table.headers.indexOf(header);
      if (index < 0) errors.push({ path: `mapping.${field}`, message: `the file has no column "${header}"` });
      else columns[field] = index;
    }
    if (errors.length) throw invalid(errors);
    return { district: this.deps.district, vocab: this.#vocab, tzOffsetMinutes: this.deps.tzOffsetMinutes, now: this.deps.clock(), cases: this.deps.cases, defaults, mapping, columns, decide };
  }

  #ready(job: Job): RowTable {
    if (job.busy) throw new HttpError(409, 'busy', `the import is ${job.view.phase}; wait until it has finished`, undefined, { job: this.#snapshot(job) });
    if (!job.table) throw new HttpError(409, 'not_readable', job.view.error ?? 'the file was not read', undefined, { job: this.#snapshot(job) });
    return job.table;
  }

  /** Starts validating every row in the background (phase `validating`, then `validated`). */
  startValidation(job: Job, mapping: ColumnMapping, defaults: ImportDefaults): ImportJob {
    const ctx = this.#context(job, mapping, defaults, true);
    job.busy = true;
    void this.#validate(job, ctx)
      .catch((error: unknown) => {
        job.view.phase = 'failed';
        job.view.error = `validation stopped: ${(error as Error).message}`;
      })
      .finally(() => (job.busy = false));
    return this.#snapshot(job);
  }

  async #validate(job: Job, ctx: RowContext): Promise<Validation> {
    const table = job.table!;
    job.view.phase = 'validating';
    job.view.progress = { done: 0, total: table.rows.length };
    delete job.view.validation;
    delete job.view.result;
    delete job.view.error;
    const report: Validation = { rows: table.rows.length, valid: 0, duplicates: 0, errorRows: 0, errorCount: 0, errors: [] };
    const seen = new Map<string, number>();
    let resolutions = 0;
    const multiSheet = job.view.format === 'xlsx';
    for (let i = 0; i < table.rows.length; i++) {
      const row = table.rowNumbers[i]!;
      const sheet = multiSheet ? sheetOf(table, i) : undefined;
      const cells = cellsOf(table, i);
      const plan = planRow(cells, ctx);
      const rowErrors: Array<Omit<RowError, 'row'>> = plan.ok ? [] : [...plan.errors];
      if (plan.key) {
        const first = seen.get(plan.key);
        if (first !== undefined) {
          const firstSheet = multiSheet ? sheetOf(table, first) : undefined;
          const firstRow = table.rowNumbers[first];
          const where = firstSheet !== sheet ? ` of sheet ${firstSheet}` : '';
          const whereZh = firstSheet !== sheet ? `工作表“${firstSheet}”的` : '';
          rowErrors.unshift({
            field: 'sourceRef',
            ...(ctx.mapping.sourceRef && { column: ctx.mapping.sourceRef }),
            message: `the same ledger number as row ${firstRow}${where} (${plan.key})`,
            zh: `台账编号${quoteZh(cells[ctx.columns.sourceRef!]?.trim() ?? '')}与${whereZh}第 ${firstRow} 行重复`,
          });
        } else seen.set(plan.key, i);
      }
      if (rowErrors.length) {
        report.errorRows++;
        report.errorCount += rowErrors.length;
        for (const e of rowErrors) if (report.errors.length < MAX_LISTED_ROW_ERRORS) report.errors.push({ row, ...(sheet && { sheet }), ...e });
      } else {
        report.valid++;
        if (plan.ok && plan.duplicate) report.duplicates++;
        if (plan.ok && plan.events.some((e) => e.type === 'case.resolved')) resolutions++;
      }
      if ((i + 1) % VALIDATE_YIELD_EVERY === 0) {
        job.view.progress = { done: i + 1, total: table.rows.length };
        await yieldToLoop();
      }
    }
    job.view.progress = { done: table.rows.length, total: table.rows.length };
    job.view.validation = report;
    job.resolutions = resolutions;
    job.view.phase = 'validated';
    return report;
  }

  /**
   * Validates again; with any bad row answers 422 and appends nothing. Else `audit` is awaited (no record, no import),
   * the import starts in the background (phase `importing`) and the job is answered.
   */
  async commit(job: Job, mapping: ColumnMapping, defaults: ImportDefaults, audit: (planned: { rows: number; cases: number; resolutions: number; duplicates: number }) => Promise<void>): Promise<ImportJob> {
    const ctx = this.#context(job, mapping, defaults, true);
    job.busy = true;
    try {
      const report = await this.#validate(job, ctx);
      if (report.errorRows > 0) {
        throw new HttpError(422, 'invalid_rows', `${report.errorRows} of ${report.rows} rows are invalid; nothing was imported`, undefined, { job: this.#snapshot(job), params: { errorRows: report.errorRows, rows: report.rows } });
      }
      await audit({ rows: report.rows, cases: report.valid - report.duplicates, resolutions: job.resolutions ?? 0, duplicates: report.duplicates });
    } catch (error) {
      job.busy = false;
      throw error;
    }
    job.view.phase = 'importing';
    job.view.progress = { done: 0, total: job.table!.rows.length };
    this.stats.running++;
    void this.#import(job, { ...ctx, decide: false }).finally(() => {
      job.busy = false;
      this.stats.running--;
      if (job.view.phase === 'done') this.stats.done++;
      else this.stats.failed++;
    });
    return this.#snapshot(job);
  }

  async #import(job: Job, ctx: RowContext): Promise<void> {
    const table = job.table!;
    const result = { cases: 0, resolutions: 0, duplicates: 0 };
    let batch: IntakeEvent[] = [];
    /** Rows whose events are in `batch`. */
    let batchRows = 0;
    let done = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const outcome = await this.deps.ingestor.ingest(batch, (i) => `events[${i}]`);
      this.stats.rows += batchRows;
      batchRows = 0;
      for (const r of outcome.results) {
        if (r.type === 'case.reported') {
          if (r.duplicate) result.duplicates++;
          else result.cases++;
        } else if (r.type === 'case.resolved' && !r.duplicate) result.resolutions++;
      }
      batch = [];
    };
    try {
      for (let i = 0; i < table.rows.length; i++) {
        const plan = planRow(cellsOf(table, i), { ...ctx, now: this.deps.clock() });
        if (!plan.ok) throw new Error(`row ${table.rowNumbers[i]}: ${plan.errors.map((e) => e.message).join('; ')}`);
        if (plan.duplicate) result.duplicates++;
        else {
          if (batch.length + plan.events.length > IMPORT_BATCH) {
            await flush();
            job.view.progress = { done, total: table.rows.length };
          }
          batch.push(...plan.events);
          batchRows++;
        }
        done = i + 1;
      }
      await flush();
      job.view.progress = { done: table.rows.length, total: table.rows.length };
      job.view.result = result;
      job.view.phase = 'done';
    } catch (error) {
      const why =
        error instanceof IntakeRejected
          ? `intake refused a batch (${error.errors.slice(0, 3).map((e) => `${e.path}: ${e.message}`).join('; ')})`
          : error instanceof StoreUnavailableError
            ? 'the event log is unavailable'
            : (error as Error).message;
      job.view.result = result;
      job.view.phase = 'failed';
      job.view.error = `the import stopped after ${result.cases} new cases: ${why}; commit again to finish (rows already in the log are skipped)`;
    }
  }
}
