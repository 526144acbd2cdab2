/**
 * Text a person typed (names, titles, descriptions, notes, reasons) as every schema takes it (issue 15, item 7):
 * trimmed, within its length, and refused (400 naming the field) when it holds
 * - a control character: C0, DEL and C1 (a NUL is also refused by PostgreSQL's jsonb, so it broke the shared log),
 *   line breaks and tabs allowed only where the text may run over several lines;
 * - a bidi override, embedding or isolate (U+202A–U+202E, U+2066–U+2069): shown on the wall and in the desks, one
 *   turns `gnp.exe` into what looks like another name, or reverses a case title;
 * - half a surrogate pair (not text; PostgreSQL rewrites it, so a stored event would no longer read back as sent);
 * - nothing visible: only spaces and zero-width characters.
 * Text an attacker chooses for the audit trail (a typed login name) is cleaned there instead (shared/audit.ts).
 */
import { z } from 'zod';

/** C0 but tab and line feed, DEL, C1. */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/u;
const BREAK_OR_TAB = /[\t\n]/u;
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;
const LONE_SURROGATE = /\p{Cs}/u;
/** White space, zero-width and other blank characters: text of only these shows nothing. */
const INVISIBLE = /[\s\u00AD\u034F\u061C\u115F\u1160\u180E\u200B-\u200F\u2028\u2029\u2060-\u2064\u3164\uFEFF\uFFA0]/gu;

/** Why a text cannot be taken, or undefined. */
export function textProblem(text: string, options: { multiline?: boolean } = {}): string | undefined {
  const control = CONTROL.exec(text) ?? (!options.multiline ? BREAK_OR_TAB.exec(text) : null);
  if (control) return `must not hold control characters (U+${control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})${options.multiline ? '' : '; one line, no tabs'}`;
  const bidi = BIDI_CONTROL.exec(text);
  if (bidi) return `must not hold bidirectional override or isolate characters (U+${bidi[0].codePointAt(0)!.toString(16).toUpperCase()})`;
  if (LONE_SURROGATE.test(text)) return 'is not valid Unicode text';
  if (text.length > 0 && text.replace(INVISIBLE, '').length === 0) return 'must hold visible text, not only spaces or zero-width characters';
  return undefined;
}

export interface HumanTextOptions {
  max: number;
  /** At least this many characters after trimming (default 1: required text is not empty). 0: may be empty. */
  min?: number;
  minMessage?: string;
  /** Line breaks and tabs allowed (descriptions, notes, reasons). */
  multiline?: boolean;
}

/** A string schema for human-typed text: trimmed, `min`..`max` long, and no controls, bidi overrides or blank-only text. */
export function humanText(options: HumanTextOptions) {
  const min = options.min ?? 1;
  let schema = z.string().trim().max(options.max);
  if (min > 0) schema = schema.min(min, options.minMessage ?? (min === 1 ? 'must not be empty' : `at least ${min} characters`));
  return schema.superRefine((text, ctx) => {
    const problem = textProblem(text, options);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}
