/** What the audit log rejects with. Callers tell them apart with instanceof. */

/** The draft or filter is malformed: a bug in the caller, never retried. */
export class AuditValidationError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`invalid audit ${issues.length === 1 ? 'input' : 'inputs'}: ${issues.join('; ')}`);
    this.name = 'AuditValidationError';
  }
}

/** The storage could not be reached or could not commit; nothing was recorded (or, if COMMIT was cut off, maybe). */
export class AuditUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AuditUnavailableError';
  }
}

/** Opened with `create: false` where there is no audit log. */
export class AuditNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditNotFoundError';
  }
}

/** Prune found the stretch it was about to delete tampered with, and deleted nothing of it: that is evidence. */
export class AuditChainBrokenError extends Error {
  constructor(
    readonly seq: number,
    readonly reason: string,
  ) {
    super(`the audit chain is broken at entry ${seq}: ${reason}`);
    this.name = 'AuditChainBrokenError';
  }
}
