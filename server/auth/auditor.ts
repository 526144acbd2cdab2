/**
 * What the server hands to the audit log (server/audit/): who (from the principal), from where (the client address
 * after TRUST_PROXY, the User-Agent), what and how it ended. `record` waits for the commit: an action that must be
 * audited (unmasking, user changes) fails when its record cannot be written. `note` is for what is recorded on the
 * way to refusing something (a failed login, a denial): a failure to write it is logged, never shown to the client.
 */
import type { Request } from 'express';
import type { AuditAction, AuditActor, AuditDraft, AuditOutcome, JsonObject } from '../../shared/audit.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Logger } from '../log.js';
import type { Principal } from './authenticator.js';

export function auditActor(principal: Principal | undefined): AuditActor {
  if (!principal) return { kind: 'anonymous' };
  if (principal.kind === 'apikey') return { kind: 'apikey', id: principal.id, name: principal.name, role: 'integration' };
  return { kind: principal.kind, id: principal.id, name: principal.name, role: principal.role };
}

export interface AuditFacts {
  action: AuditAction;
  outcome: AuditOutcome;
  target?: string;
  details?: JsonObject;
  /** Overrides the actor taken from the principal (e.g. the user name typed into a failed login). */
  actor?: AuditActor;
}

export class Auditor {
  constructor(
    private readonly log: AuditLog,
    private readonly logger: Logger,
  ) {}

  #draft(req: Pick<Request, 'ip' | 'get'> | undefined, principal: Principal | undefined, facts: AuditFacts): AuditDraft {
    const userAgent = req?.get('user-agent');
    return {
      actor: facts.actor ?? auditActor(principal),
      action: facts.action,
      outcome: facts.outcome,
      ip: req?.ip ?? '',
      ...(userAgent && { userAgent }),
      ...(facts.target !== undefined && { target: facts.target }),
      ...(facts.details && { details: facts.details }),
    };
  }

  async record(req: Pick<Request, 'ip' | 'get'> | undefined, principal: Principal | undefined, facts: AuditFacts): Promise<void> {
    await this.log.record(this.#draft(req, principal, facts));
  }

  note(req: Pick<Request, 'ip' | 'get'> | undefined, principal: Principal | undefined, facts: AuditFacts): void {
    this.log.record(this.#draft(req, principal, facts)).catch((error: unknown) => this.logger.error({ err: error, action: facts.action }, 'could not write an audit entry'));
  }
}
