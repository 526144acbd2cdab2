/** Words and times for the administration view: failures an admin can act on, audit entries, district-time filters. */
import type { AuditEntry } from '../../shared/audit.js';
import type { AdminFailure } from './admin-api.js';
import { fieldErrorsText, fieldIssueText, serverErrorText } from './error-text.js';
import type { MessageKey, MessageParams } from './i18n.js';

type Translate = (key: MessageKey, params?: MessageParams) => string;

/** What went wrong with an admin change, in words. */
export function adminFailureText(error: AdminFailure, t: Translate, context: { username?: string } = {}): string {
  switch (error.kind) {
    case 'conflict':
      if (error.code === 'last_admin') return t('admin.error.lastAdmin');
      if (error.code === 'username_taken') return t('admin.error.taken', { username: context.username ?? '' });
      return t('admin.error.conflict');
    case 'invalid':
      return t('admin.error.failed', { message: fieldErrorsText(error.details, t).join(t('apiError.fieldSeparator')) || t('apiError.invalid') });
    case 'network':
      return t('admin.error.failed', { message: t('error.network') });
    case 'parse':
      return t('admin.error.failed', { message: t('error.parse') });
    case 'http':
      return t('admin.error.failed', { message: serverErrorText(error, t) ?? t('error.http', { status: error.status }) });
  }
}

/** Field errors of a 400 by field name (the first message per field). */
export function fieldErrors(error: AdminFailure | null, t?: Translate): Record<string, string> {
  if (error?.kind !== 'invalid') return {};
  const out: Record<string, string> = {};
  for (const d of error.details) out[d.path] ??= t ? fieldIssueText(d, t) : d.message;
  return out;
}

function shifted(ms: number, tzOffsetMinutes: number): string {
  return new Date(ms + tzOffsetMinutes * 60_000).toISOString();
}

/** YYYY-MM-DD hh:mm:ss in the district's time. */
export function fullTime(iso: string, tzOffsetMinutes: number): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const s = shifted(ms, tzOffsetMinutes);
  return `${s.slice(0, 10)} ${s.slice(11, 19)}`;
}

/** A `datetime-local` value (YYYY-MM-DDThh:mm) read as district time, as the ISO 8601 the audit filter takes. */
export function districtInstant(local: string, tzOffsetMinutes: number): string | undefined {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(local)) return undefined;
  const sign = tzOffsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(tzOffsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${local}:00${offset}`;
}

/** Who did it, as one line: name (role), or the kind of actor when there is no name. */
export function actorLabel(actor: AuditEntry['actor'], t: Translate): string {
  const kind = actor.kind === 'anonymous' ? t('admin.audit.anonymous') : actor.kind === 'system' ? t('admin.audit.system') : '';
  const name = actor.name ?? actor.id ?? '';
  const role = actor.role && (['duty', 'dept', 'leader', 'admin', 'wall'] as const).includes(actor.role as 'duty') ? t(`auth.role.${actor.role as 'duty'}`) : actor.role;
  return [kind, name, role ? `(${role})` : ''].filter(Boolean).join(' ');
}

/** An entry's details as short `key: value` text (never HTML). */
export function detailsText(details: AuditEntry['details']): string {
  if (!details) return '';
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ');
}
