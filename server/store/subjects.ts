/**
 * Which stored events are about which case or alert, in SQL, for append preconditions (event-store.ts). It mirrors
 * shared/events.ts: `case.reported` names its case in `caseId`, every other case event in `case.caseId`; alert events
 * name their alert in `alertId`, and so does a whistle blown from an alert (it acknowledges the alert, so it changes
 * the alert's version: server/domain/risk/alerts.ts). An event type added there must be placed here.
 *
 * The same text runs on both engines: PostgreSQL's `->`/`->>` on a json column and SQLite's (3.38+) on TEXT agree.
 * There is no index on these expressions: a precondition looks only at seq > afterSeq, a range of the primary key
 * that ends at the head of the log, and a node decides on state at most a few commits old. An index would cost every
 * append (and a build on existing logs) to speed up a check that scans a handful of rows.
 */
import type { AppendPrecondition, EventSubject } from './event-store.js';

const idOf: Record<EventSubject['kind'], string> = {
  case: `CASE WHEN type = 'case.reported' THEN data ->> 'caseId' WHEN type NOT LIKE 'alert.%' THEN data -> 'case' ->> 'caseId' END`,
  alert: `CASE WHEN type LIKE 'alert.%' OR type = 'case.whistled' THEN data ->> 'alertId' END`,
};

/** A boolean SQL expression over an events row: it is about the subject of a literal kind, whose id is `id` (SQL). */
export function aboutSql(kind: EventSubject['kind'], id: string): string {
  return `(${idOf[kind]}) = ${id}`;
}

/** The same, with the kind given by an SQL expression too (one query checks subjects of both kinds). */
export function aboutAnySql(kind: string, id: string): string {
  return `(CASE ${kind} WHEN 'case' THEN ${idOf.case} WHEN 'alert' THEN ${idOf.alert} END) = ${id}`;
}

/** Why a precondition cannot be checked, if it cannot: caught before it reaches a group commit it would fail. */
export function invalidPrecondition(p: AppendPrecondition | undefined): string | undefined {
  if (p === undefined) return undefined;
  if (!Object.hasOwn(idOf, p.subject.kind)) return `unknown subject kind ${String(p.subject.kind)}`;
  if (typeof p.subject.id !== 'string' || p.subject.id === '') return 'the subject needs an id';
  if (!Number.isSafeInteger(p.afterSeq) || p.afterSeq < 0) return `afterSeq must be a seq, not ${p.afterSeq}`;
  return undefined;
}
