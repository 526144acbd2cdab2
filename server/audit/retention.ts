/**
 * Audit retention (AUDIT_RETENTION_DAYS): a few times a day the node holding the lease prunes entries older than
 * the retention; the log keeps a checkpoint so what remains still verifies.
 */
import type { Lease } from '../lease.js';
import type { Logger } from '../log.js';
import { retentionCutoff, type AuditLog } from './audit-log.js';

const EVERY_MS = 6 * 3_600_000;

export class AuditRetention {
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly deps: { audit: AuditLog; lease: Pick<Lease, 'hold'>; clock: () => number; log: Logger },
    private readonly options: { days: number },
  ) {}

  start(): void {
    void this.run();
    this.#timer = setInterval(() => void this.run(), EVERY_MS);
    this.#timer.unref();
  }

  async run(): Promise<number> {
    try {
      if (!(await this.deps.lease.hold())) return 0;
      const pruned = await this.deps.audit.prune(retentionCutoff(this.deps.clock(), this.options.days));
      if (pruned) this.deps.log.info({ pruned, days: this.options.days }, 'audit entries past retention pruned');
      return pruned;
    } catch (error) {
      this.deps.log.warn({ err: error }, 'audit retention could not prune; trying again later');
      return 0;
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
