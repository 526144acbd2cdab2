/**
 * A server error in the UI's language. The server sends `{ error: { code, message, params?, details? } }`
 * (server/api/errors.ts); the words come from the client's tables by code (i18n-errors.ts) with the params filled in,
 * and each field error from zod's own locale for the issue the server names (`details[i].issue`). The server's
 * English `message` is shown only for a code the tables do not know, so a new server error still says something.
 */
import type { $ZodRawIssue } from 'zod/v4/core';
import zodEn from 'zod/v4/locales/en.js';
import zodZhCN from 'zod/v4/locales/zh-CN.js';
import type { FieldError, FieldIssue } from '../../shared/intake.js';
import { messages, type MessageKey, type MessageParams } from './i18n.js';

type Translate = (key: MessageKey, params?: MessageParams) => string;

/** What a client keeps of a server error: its code, the params of its text, its field errors, the English text. */
export interface ServerError {
  status?: number;
  code?: string;
  message?: string;
  params?: Record<string, string | number>;
  details?: FieldError[];
}

const zodLocales: Record<string, (issue: $ZodRawIssue) => string | undefined> = {
  'zh-CN': zodZhCN().localeError as (issue: $ZodRawIssue) => string | undefined,
  en: zodEn().localeError as (issue: $ZodRawIssue) => string | undefined,
};

/** The codes the tables word (the same in every language: the tables are typed alike). */
export const knownErrorCodes: ReadonlySet<string> = new Set(
  Object.keys(messages.zh)
    .filter((k) => k.startsWith('apiError.') && k.split('.').length === 2)
    .map((k) => k.slice('apiError.'.length))
    .filter((c) => !['zodLocale', 'field', 'withFields', 'fieldSeparator'].includes(c)),
);

/** Reads the error members of a JSON error body (anything else is dropped). */
export function serverErrorOf(body: unknown): Omit<ServerError, 'status'> {
  const error = (body as { error?: Record<string, unknown> } | null)?.error;
  if (!error || typeof error !== 'object') return {};
  const out: Omit<ServerError, 'status'> = {};
  if (typeof error.code === 'string') out.code = error.code;
  if (typeof error.message === 'string') out.message = error.message;
  if (error.params && typeof error.params === 'object') {
    const params: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(error.params as Record<string, unknown>)) if (typeof v === 'string' || typeof v === 'number') params[k] = v;
    out.params = params;
  }
  if (Array.isArray(error.details)) {
    out.details = (error.details as unknown[])
      .filter((d): d is FieldError => typeof (d as FieldError)?.path === 'string' && typeof (d as FieldError)?.message === 'string')
      .map((d) => ({ path: d.path, message: d.message, ...(d.issue && typeof d.issue === 'object' && typeof d.issue.code === 'string' && { issue: d.issue }) }));
  }
  return out;
}

/** One field error in the UI's language: zod's locale for its issue, else the server's text. */
export function fieldIssueText(detail: FieldError, t: Translate): string {
  const issue: FieldIssue | undefined = detail.issue;
  if (!issue) return detail.message;
  // zod words "received …" from the input, which the server never sends back: say only what was expected.
  if (issue.code === 'invalid_type') return t('apiError.field.invalid_type', { expected: String(issue.expected ?? '') });
  if (issue.code === 'custom') return detail.message;
  const word = zodLocales[t('apiError.zodLocale')] ?? zodLocales.en!;
  try {
    return word({ ...issue, input: undefined, path: [] } as unknown as $ZodRawIssue) ?? detail.message;
  } catch {
    return detail.message;
  }
}

/** Every field error, `path: text`, in the UI's language. */
export function fieldErrorsText(details: readonly FieldError[], t: Translate): string[] {
  return details.map((d) => (d.path && d.path !== '(body)' ? t('apiError.field', { path: d.path, message: fieldIssueText(d, t) }) : fieldIssueText(d, t)));
}

/** The error's text in the UI's language, or undefined when it has no code the tables know and no message. */
export function serverErrorText(error: ServerError, t: Translate): string | undefined {
  const code = error.code;
  if (code && knownErrorCodes.has(code)) {
    const params: MessageParams = { ...error.params };
    if (code === 'invalid_request') params.n ??= error.details?.length ?? 0;
    const text = t(`apiError.${code}` as MessageKey, params);
    const fields = error.details?.length ? fieldErrorsText(error.details, t) : [];
    return fields.length ? t('apiError.withFields', { text, fields: fields.join(t('apiError.fieldSeparator')) }) : text;
  }
  return error.message || undefined;
}
