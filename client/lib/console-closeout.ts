/**
 * The duty officer's close-out lists: resolved cases waiting for a follow-up visit (回访) and followed-up cases
 * waiting to be archived. GET /api/queue lists only open statuses, so these come from the read API's case list, whose
 * summaries carry no title; titles are fetched once per case from its detail and kept (a title never changes).
 */
import type { QueueRow } from '../../shared/api.js';
import type { CaseStatus } from '../../shared/vocabulary.js';
import type { Loaded } from './api.js';
import type { DispatchApi, QueueFilter } from './dispatch-api.js';

export const closeOutStatuses = {
  followUp: ['resolved', 'confirmed'],
  archive: ['followedUp'],
} as const satisfies Record<string, readonly CaseStatus[]>;
export type CloseOutList = keyof typeof closeOutStatuses;

const LIMIT = 100;

export async function loadCloseOut(
  api: Pick<DispatchApi, 'cases' | 'caseDetail'>,
  list: CloseOutList,
  filter: Omit<QueueFilter, 'status'>,
  titles: Map<string, string>,
  signal?: AbortSignal,
): Promise<Loaded<QueueRow[]>> {
  const pages = await Promise.all(closeOutStatuses[list].map((status) => api.cases({ ...filter, status, limit: LIMIT }, signal)));
  const failed = pages.find((p) => !p.ok);
  if (failed && !failed.ok) return failed;
  const cases = pages.flatMap((p) => (p.ok ? p.data.items : []));
  // Most recently resolved first: the officer works down from what just came back from the departments.
  cases.sort((a, b) => (b.resolvedAt ?? b.reportedAt).localeCompare(a.resolvedAt ?? a.reportedAt));
  const missing = cases.filter((c) => !titles.has(c.id));
  const details = await Promise.all(missing.map((c) => api.caseDetail(c.id, signal)));
  details.forEach((d, i) => {
    if (d.ok) titles.set(missing[i]!.id, d.data.title);
  });
  return { ok: true, data: cases.slice(0, LIMIT).map((c) => ({ case: c, title: titles.get(c.id) ?? '' })) };
}
