/**
 * One ledger row → the intake events it stands for: `case.reported` keyed on (source, ledger number), and
 * `case.resolved` (keyed on the same number with `#resolved`) when the row has an outcome. Each row is checked
 * with the real intake schema and the real intake decision against the live case index, so an import accepts
 * exactly what intake accepts; a problem becomes a RowError naming the row, the field and the column.
 */
import type { FieldError, IntakeEvent, IntakeEventInput } from '../../shared/intake.js';
import { intakeEventSchema, formatPath } from '../../shared/intake.js';
import type { ColumnMapping, ImportDefaults, LedgerField, RowError } from '../../shared/ledger.js';
import { lifecycle } from '../../shared/lifecycle.js';
import type { DistrictData } from '../district-data.js';
import { decideIntake, sourceKeyOf, type CaseLookup } from '../domain/intake.js';
import type { Vocabulary } from './columns.js';

/** The resolution's own sourceRef: the ledger number and this suffix. */
export const RESOLVED_SUFFIX = '#resolved';

export interface RowContext {
  district: DistrictData;
  vocab: Vocabulary;
  tzOffsetMinutes: number;
  now: number;
  cases: CaseLookup;
  defaults: ImportDefaults;
  mapping: ColumnMapping;
  /** Column index of each mapped field. */
  columns: Partial<Record<LedgerField, number>>;
  /** Run the intake decision too (validation); the import leaves it to the Ingestor, which decides every batch. */
  decide: boolean;
}

export type RowPlan =
  | { ok: true; key: string; events: IntakeEvent[]; /** The case is in the log already and the row adds nothing. */ duplicate: boolean }
  | { ok: false; key?: string; errors: Array<Omit<RowError, 'row'>> };

/**
 * A local date-time as ledgers write it: `YYYY-MM-DD HH:mm[:ss[.SSS]]`, `YYYY/M/D`, `2026年10月3日`, an ISO time with a
 * zone, or an Excel serial day number. Epoch ms, or undefined when it is none of these.
 */
export function parseLocalTime(text: string, tzOffsetMinutes: number): number | undefined {
  const s = text.trim();
  if (!s) return undefined;
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/i.test(s)) {
    const t = Date.parse(s);
    return Number.isNaN(t) ? undefined : t;
  }
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT]+(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})(?:\.(\d{1,3}))?)?秒?)?$/.exec(s);
  if (m) {
    const [y, mo, d, h = '0', mi = '0', sec = '0', ms = '0'] = m.slice(1);
    const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), Number(ms.padEnd(3, '0'))] as const;
    const wall = Date.UTC(...parts);
    const back = new Date(wall);
    if (back.getUTCMonth() !== parts[1] || back.getUTCDate() !== parts[2] || parts[3] > 23 || parts[4] > 59 || parts[5] > 59) return undefined;
    return wall - tzOffsetMinutes * 60_000;
  }
  // An Excel serial day (1927–2119) written as a number, the way a date cell reads when its format is lost.
  if (/^\d{5}(\.\d+)?$/.test(s)) {
    const serial = Number(s);
    if (serial >= 10_000 && serial < 80_000) return Math.round((serial - 25_569) * 86_400_000) - tzOffsetMinutes * 60_000;
  }
  return undefined;
}

const PARTY_SEPARATORS = /[、,;，；\n]/;

function names(text: string): string[] {
  return text
    .split(PARTY_SEPARATORS)
    .map((n) => n.trim())
    .filter(Boolean);
}

/** Which ledger field an intake error path is about (`parties[2].name` by the party's role). */
function fieldOfPath(path: string, event: IntakeEventInput): LedgerField | undefined {
  const head = path.split(/[.[]/)[0];
  switch (head) {
    case 'streetCode':
      return 'street';
    case 'communityCode':
      return 'community';
    case 'caseSourceRef':
    case 'caseId':
    case 'sourceRef':
      return 'sourceRef';
    case 'parties': {
      const index = Number(/^parties\[(\d+)\]/.exec(path)?.[1]);
      const party = event.type === 'case.reported' ? event.parties?.[index] : undefined;
      return party?.role === 'respondent' ? 'respondent' : 'applicant';
    }
    case 'source':
    case 'kind':
    case 'category':
    case 'title':
    case 'description':
    case 'severity':
    case 'peopleInvolved':
    case 'reportedAt':
    case 'outcome':
    case 'resolvedAt':
      return head;
    default:
      return undefined;
  }
}

/** Reads one row into its intake events, or says what is wrong with it (every problem, not just the first). */
export function planRow(cells: readonly string[], ctx: RowContext): RowPlan {
  const errors: Array<Omit<RowError, 'row'>> = [];
  const fail = (field: LedgerField, message: string) => errors.push({ field, ...(ctx.mapping[field] !== undefined && { column: ctx.mapping[field] }), message });
  const cell = (field: LedgerField): string => {
    const i = ctx.columns[field];
    return i === undefined ? '' : (cells[i] ?? '').trim();
  };
  const quote = (s: string) => `"${s.length > 40 ? `${s.slice(0, 40)}…` : s}"`;

  const sourceRef = cell('sourceRef');
  if (!sourceRef) fail('sourceRef', 'the ledger number is missing');

  const sourceText = cell('source');
  const source = sourceText ? ctx.vocab.source(sourceText) : ctx.defaults.source;
  if (!source) fail('source', `unknown source ${quote(sourceText)}`);

  const kindText = cell('kind');
  const kind = kindText ? ctx.vocab.kind(kindText) : ctx.defaults.kind;
  if (!kind) fail('kind', `unknown kind ${quote(kindText)}`);

  const reportedText = cell('reportedAt');
  const reportedMs = parseLocalTime(reportedText, ctx.tzOffsetMinutes);
  if (!reportedText) fail('reportedAt', 'the date is missing');
  else if (reportedMs === undefined) fail('reportedAt', `${quote(reportedText)} is not a date (write YYYY-MM-DD HH:mm or YYYY/M/D)`);

  const categoryText = cell('category');
  const category = categoryText ? ctx.vocab.category(categoryText) : undefined;
  if (!categoryText) fail('category', 'the category is missing');
  else if (!category) fail('category', `unknown category ${quote(categoryText)}`);

  const streetText = cell('street');
  const streetCode = streetText ? ctx.vocab.street(streetText) : undefined;
  if (!streetText) fail('street', 'the street is missing');
  else if (!streetCode) fail('street', `unknown street ${quote(streetText)} in ${ctx.district.info.name.zh}`);

  const communityText = cell('community');
  let communityCode: string | undefined;
  if (!communityText) fail('community', 'the community is missing');
  else if (streetCode) {
    const found = ctx.vocab.community(communityText, streetCode);
    if (!found) fail('community', `unknown community ${quote(communityText)}`);
    else if ('elsewhere' in found) {
      fail('community', `community ${quote(communityText)} is not in street ${ctx.district.street(streetCode)?.name ?? streetCode} (it is in ${ctx.district.street(found.elsewhere)?.name ?? found.elsewhere})`);
    } else communityCode = found.code;
  }

  if (!cell('title')) fail('title', 'the matter (title) is missing');

  const integer = (field: 'severity' | 'peopleInvolved', fallback: number): number | undefined => {
    const text = cell(field);
    if (!text) return fallback;
    const n = Number(text.replace(/[人级]$/, ''));
    if (!Number.isInteger(n)) {
      fail(field, `${quote(text)} is not a whole number`);
      return undefined;
    }
    return n;
  };
  const severity = integer('severity', ctx.defaults.severity);
  const peopleInvolved = integer('peopleInvolved', ctx.defaults.peopleInvolved);

  const outcomeText = cell('outcome');
  const outcome = outcomeText ? ctx.vocab.outcome(outcomeText) : undefined;
  if (outcomeText && !outcome) fail('outcome', `unknown outcome ${quote(outcomeText)}`);
  const resolvedText = cell('resolvedAt');
  const resolvedMs = parseLocalTime(resolvedText, ctx.tzOffsetMinutes);
  if (resolvedText && resolvedMs === undefined) fail('resolvedAt', `${quote(resolvedText)} is not a date (write YYYY-MM-DD HH:mm or YYYY/M/D)`);
  if (outcomeText && !resolvedText) fail('resolvedAt', 'a row with an outcome needs the date it was resolved');
  if (resolvedText && !outcomeText) fail('outcome', 'a row with a resolution date needs its outcome');

  const key = source && sourceRef ? sourceKeyOf(source, sourceRef) : undefined;
  if (errors.length) return { ok: false, ...(key && { key }), errors };

  const parties = [
    ...names(cell('applicant')).map((name) => ({ role: 'applicant' as const, name })),
    ...names(cell('respondent')).map((name) => ({ role: 'respondent' as const, name })),
  ];
  const description = cell('description');
  const reported: IntakeEventInput = {
    type: 'case.reported',
    source: source!,
    sourceRef,
    kind: kind!,
    category: category!,
    title: cell('title'),
    ...(description && { description }),
    streetCode: streetCode!,
    communityCode: communityCode!,
    severity: severity!,
    peopleInvolved: peopleInvolved!,
    reportedAt: new Date(reportedMs!).toISOString(),
    parties,
  };
  const resolved: IntakeEventInput | undefined = outcome && {
    type: 'case.resolved',
    source: source!,
    sourceRef: `${sourceRef}${RESOLVED_SUFFIX}`,
    caseSourceRef: sourceRef,
    outcome,
    resolvedAt: new Date(resolvedMs!).toISOString(),
  };

  // The real intake schema: lengths, characters of the ledger number, party names…
  const events: IntakeEvent[] = [];
  for (const input of resolved ? [reported, resolved] : [reported]) {
    const parsed = intakeEventSchema.safeParse(input);
    if (parsed.success) {
      events.push(parsed.data);
      continue;
    }
    for (const issue of parsed.error.issues) {
      const path = formatPath(issue.path);
      const field = fieldOfPath(path, input) ?? 'sourceRef';
      const message = input.type === 'case.resolved' && field === 'sourceRef' ? `the ledger number with "${RESOLVED_SUFFIX}" ${issue.message}` : issue.message;
      fail(field, message);
    }
  }
  if (errors.length) return { ok: false, key: key!, errors };

  // A case already in the log (same source and ledger number) adds nothing, unless the ledger closes a case the log
  // still has open.
  const existing = ctx.cases.bySourceKey(key!);
  let toDecide = events;
  if (existing) {
    const resolution = events[1];
    const resolutionKey = resolution && sourceKeyOf(resolution.source, resolution.sourceRef);
    if (!resolution || existing.resolvedBy === resolutionKey || !lifecycle.resolveExternal.includes(existing.status)) {
      return { ok: true, key: key!, events: [], duplicate: true };
    }
    toDecide = [resolution];
  }
  if (!ctx.decide) return { ok: true, key: key!, events: toDecide, duplicate: false };
  let n = 0;
  const decision = decideIntake(toDecide, { district: ctx.district, cases: ctx.cases, now: ctx.now, newId: () => `ledger-check-${n++}` }, () => '');
  if (!decision.ok) {
    for (const e of decision.errors as FieldError[]) {
      const field = fieldOfPath(e.path, toDecide[0]!) ?? 'sourceRef';
      fail(field, e.message);
    }
    return { ok: false, key: key!, errors };
  }
  return { ok: true, key: key!, events: toDecide, duplicate: false };
}
