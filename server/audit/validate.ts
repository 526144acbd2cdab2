/**
 * Drafts and list filters checked at the log's boundary, whoever calls it: a malformed one rejects with
 * AuditValidationError naming each bad field, never reaches the storage, and never throws synchronously.
 */
import { z } from 'zod';
import { auditActionSchema, auditDraftSchema, type AuditRecord } from '../../shared/audit.js';
import { AuditValidationError } from './errors.js';

/** Drafts per recordMany: one commit, and a bounded statement on PostgreSQL. */
export const MAX_DRAFTS = 1000;
export const MAX_LIST = 1000;

const issuesOf = (error: z.ZodError, prefix: string) =>
  error.issues.map((issue) => `${[prefix, ...issue.path.map(String)].filter(Boolean).join('.') || 'draft'}: ${issue.message}`);

export function parseDrafts(drafts: unknown): AuditRecord[] {
  if (!Array.isArray(drafts)) throw new AuditValidationError(['expected a list of drafts']);
  if (drafts.length > MAX_DRAFTS) throw new AuditValidationError([`at most ${MAX_DRAFTS} drafts at once, not ${drafts.length}`]);
  const records: AuditRecord[] = [];
  const issues: string[] = [];
  drafts.forEach((draft: unknown, i) => {
    const prefix = drafts.length === 1 ? '' : `[${i}]`;
    try {
      const parsed = auditDraftSchema.safeParse(draft);
      if (parsed.success) records.push(parsed.data);
      else issues.push(...issuesOf(parsed.error, prefix));
    } catch (error) {
      // A proxy or getter that throws while zod reads it.
      issues.push(`${prefix || 'draft'}: unreadable (${error instanceof Error ? error.message : String(error)})`);
    }
  });
  if (issues.length) throw new AuditValidationError(issues);
  return records;
}

/** Either form of a time, as the ISO text both engines compare (SQLite compares it as text). */
const instant = z
  .union([z.date(), z.iso.datetime({ offset: true })])
  .transform((value) => new Date(value))
  .refine((date) => !Number.isNaN(date.getTime()), 'must be a valid time')
  .transform((date) => date.toISOString());

const filterSchema = z.object({
  from: instant.optional(),
  to: instant.optional(),
  actorId: z.string().max(200).optional(),
  action: auditActionSchema.optional(),
  target: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(MAX_LIST),
  before: z.number().int().min(1).optional(),
});

/** A validated filter: times as ISO text. */
export type ListQuery = z.output<typeof filterSchema>;

export function parseFilter(filter: unknown): ListQuery {
  const parsed = filterSchema.safeParse(filter);
  if (!parsed.success) throw new AuditValidationError(issuesOf(parsed.error, ''));
  return parsed.data;
}
