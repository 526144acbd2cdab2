/**
 * The ledger import wizard's state (台账导入): upload (with its upload progress) → parsing (the job polled) → column
 * mapping with defaults → validation (polled) → the validation report → commit (polled) → the result. Every slow step
 * has a `progress`; every failure keeps the server's message. The import can be committed only once validated with
 * no bad rows, and with the very mapping and defaults that were validated.
 */
import { importDefaultsSchema, type ColumnMapping, type ImportDefaults, type ImportJob, type ImportPhase, type LedgerField } from '../../../shared/ledger.js';
import type { ApiFailure } from '../../lib/api.js';
import { commandFailureText, fraction, initialMapping, isLedgerFile, mappingBody, missingFields, type LedgerImportApi } from '../../lib/ledger-import-api.js';

export type ImportStage = 'choose' | 'uploading' | 'parsing' | 'mapping' | 'validating' | 'validated' | 'importing' | 'done' | 'failed';

/** Which wizard step a stage belongs to (for the step bar); 4 once all are done. */
export function stepOf(stage: ImportStage): 0 | 1 | 2 | 3 | 4 {
  switch (stage) {
    case 'choose':
    case 'uploading':
    case 'parsing':
    case 'failed':
      return 0;
    case 'mapping':
      return 1;
    case 'validating':
    case 'validated':
      return 2;
    case 'importing':
      return 3;
    case 'done':
      return 4;
  }
}

const settled: Record<'parsing' | 'validating' | 'importing', readonly ImportPhase[]> = {
  parsing: ['parsed', 'failed'],
  validating: ['validated', 'failed'],
  importing: ['done', 'failed'],
};

export const defaultImportDefaults = (): ImportDefaults => importDefaultsSchema.parse({});

export interface LedgerImportOptions {
  api: LedgerImportApi;
  /** Between two reads of a running job. */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export class LedgerImport {
  readonly #api: LedgerImportApi;
  readonly #pollMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  #controller = new AbortController();

  /** The job as last read from the server. */
  job = $state.raw<ImportJob | null>(null);
  /** The file being uploaded, and its bytes sent. */
  file = $state.raw<{ name: string; size: number } | null>(null);
  upload = $state.raw<{ loaded: number; total: number } | null>(null);
  uploading = $state(false);
  /** A command sent and not yet answered (validate, commit). */
  sending = $state(false);
  mapping = $state<ColumnMapping>({});
  defaults = $state<ImportDefaults>(defaultImportDefaults());
  /** The body of the last validation asked for. */
  validatedBody = $state.raw<string | null>(null);
  /** What went wrong last, as the server said it. */
  error = $state.raw<ApiFailure | null>(null);
  /** The file chosen is not a ledger (.xlsx/.csv). */
  wrongType = $state(false);
  /** The commit was refused (422): nothing was imported. */
  rejected = $state(false);

  constructor(options: LedgerImportOptions) {
    this.#api = options.api;
    this.#pollMs = options.pollMs ?? 400;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  get stage(): ImportStage {
    if (this.uploading) return 'uploading';
    const job = this.job;
    if (!job) return 'choose';
    switch (job.phase) {
      case 'parsing':
        return 'parsing';
      case 'parsed':
        return 'mapping';
      case 'validating':
        return 'validating';
      case 'validated':
        return 'validated';
      case 'importing':
        return 'importing';
      case 'done':
        return 'done';
      case 'failed':
        return 'failed';
    }
  }

  /** The share done of the current slow step (upload bytes, or the job's rows), or null when unknown. */
  get progress(): number | null {
    if (this.uploading) return this.upload && this.upload.total > 0 ? Math.min(1, this.upload.loaded / this.upload.total) : null;
    return fraction(this.job?.progress);
  }

  get missing(): LedgerField[] {
    return this.job ? missingFields(this.mapping, this.job.headers) : [];
  }

  #body() {
    return mappingBody($state.snapshot(this.mapping), $state.snapshot(this.defaults));
  }

  /** The mapping or the defaults changed since they were validated. */
  get changed(): boolean {
    return this.validatedBody !== null && this.validatedBody !== JSON.stringify(this.#body());
  }

  get canValidate(): boolean {
    const stage = this.stage;
    return !this.sending && (stage === 'mapping' || stage === 'validated') && this.missing.length === 0;
  }

  get canCommit(): boolean {
    const validation = this.job?.validation;
    return !this.sending && this.stage === 'validated' && !!validation && validation.errorRows === 0 && validation.rows > 0 && !this.changed;
  }

  /** Chooses a file and uploads it: the job then parses it (polled until parsed or failed). */
  async choose(file: File | { name: string; size: number; blob: Blob }): Promise<void> {
    this.reset();
    this.wrongType = !isLedgerFile(file.name);
    if (this.wrongType) return;
    const blob = file instanceof Blob ? file : file.blob;
    const signal = this.#controller.signal;
    this.file = { name: file.name, size: file.size };
    this.upload = { loaded: 0, total: file.size };
    this.uploading = true;
    const outcome = await this.#api.upload(blob, file.name, (loaded, total) => (this.upload = { loaded, total }), signal);
    if (signal.aborted) return;
    this.uploading = false;
    if (!outcome.ok) {
      this.error = outcome.error;
      return;
    }
    this.#take(outcome.job);
    await this.#follow('parsing', signal);
  }

  /** Asks the server to validate every row with the current mapping and defaults. */
  async validate(): Promise<void> {
    const job = this.job;
    if (!job || !this.canValidate) return;
    const body = this.#body();
    this.error = null;
    this.rejected = false;
    this.sending = true;
    const signal = this.#controller.signal;
    const outcome = await this.#api.validate(job.id, body);
    if (signal.aborted) return;
    this.sending = false;
    if (!outcome.ok) {
      this.error = commandFailureText(outcome.error);
      return;
    }
    this.validatedBody = JSON.stringify(body);
    this.#take(outcome.result);
    await this.#follow('validating', signal);
  }

  /** Imports the validated rows; a refusal (422: rows are bad) imports nothing and says why. */
  async commit(): Promise<void> {
    const job = this.job;
    if (!job || !this.canCommit) return;
    this.error = null;
    this.rejected = false;
    this.sending = true;
    const signal = this.#controller.signal;
    const outcome = await this.#api.commit(job.id, this.#body());
    if (signal.aborted) return;
    this.sending = false;
    if (!outcome.ok) {
      this.error = commandFailureText(outcome.error);
      this.rejected = outcome.error.kind === 'http' && outcome.error.status === 422;
      // The job as it now stands (its validation report names the bad rows).
      const now = await this.#api.job(job.id, signal).catch(() => null);
      if (now?.ok && !signal.aborted) this.#take(now.data);
      return;
    }
    this.#take(outcome.result);
    await this.#follow('importing', signal);
  }

  /** Back to choosing a file; a running upload or poll stops. */
  reset(): void {
    this.#controller.abort();
    this.#controller = new AbortController();
    this.job = null;
    this.file = null;
    this.upload = null;
    this.uploading = false;
    this.sending = false;
    this.mapping = {};
    this.defaults = defaultImportDefaults();
    this.validatedBody = null;
    this.error = null;
    this.wrongType = false;
    this.rejected = false;
  }

  dispose(): void {
    this.#controller.abort();
  }

  #take(job: ImportJob): void {
    const first = this.job?.id !== job.id || this.job.phase === 'parsing';
    this.job = job;
    // The mapping is prefilled once the headers are known, and then left to the user.
    if (first && job.phase !== 'parsing' && job.headers.length) this.mapping = initialMapping(job);
  }

  /** Reads the job until the running phase settles. */
  async #follow(phase: keyof typeof settled, signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (this.job && !settled[phase].includes(this.job.phase) && !signal.aborted) {
      await this.#sleep(this.#pollMs);
      if (signal.aborted) return;
      const read = await this.#api.job(this.job.id, signal).catch(() => null);
      if (signal.aborted) return;
      if (read?.ok) {
        failures = 0;
        this.error = null;
        this.#take(read.data);
      } else if (read && read.error.kind === 'http' && read.error.status !== 503) {
        // The job is gone (404) or may not be read: nothing will change by asking again.
        this.error = read.error;
        return;
      } else if (++failures >= 3) {
        // A network blip is retried; after a few, say so (the poll keeps going).
        this.error = read ? read.error : { kind: 'network' };
      }
    }
  }
}
