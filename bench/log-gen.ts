/**
 * A large realistic event log for the start-up and snapshot benchmarks, written fast: straight into the SQLite log's
 * table in transactions of 50,000 rows with synchronous off (a benchmark's log need not survive a power cut), after
 * the real store has created and versioned the database. The events: cases with parties; a share of them resolved,
 * half of those through the dispatch loop (triage, whistle to two departments, report-in, resolution); some alerts.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { EventDraft } from '../shared/events.js';
import { loadDistrictData } from '../server/district-data.js';
import { SqliteEventStore } from '../server/store/sqlite-store.js';

const TRANSACTION_ROWS = 50_000;

/** Writes `total` events into `dir`/events.db (made by the store if missing); resolves with the seconds it took. */
export async function writeBenchLog(dir: string, total: number, onProgress?: (written: number) => void): Promise<number> {
  const district = loadDistrictData('longgang');
  const communities = district.info.communities;
  const categories = district.categories.map((c) => c.code);
  // The store makes the tables, the district row and the schema version, as the server would.
  await new SqliteEventStore({ dataDir: dir, district: 'longgang' }).close();
  const db = new Database(path.join(dir, 'events.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  const insert = db.prepare('INSERT INTO events (seq, id, at, type, source_key, data) VALUES (?, ?, ?, ?, ?, ?)');
  const t0 = Date.now() - 30 * 86_400_000;
  const open: EventDraft[] = [];
  let seq = (db.prepare('SELECT coalesce(max(seq), 0) AS s FROM events').get() as { s: number }).s;
  const started = performance.now();
  const put = (draft: EventDraft, at: string) => insert.run(++seq, draft.id, at, draft.type, draft.sourceKey ?? null, JSON.stringify(draft.data));
  const writeSome = db.transaction((count: number) => {
    for (let written = 0; written < count; ) {
      const n = seq;
      const at = new Date(t0 + (n / total) * 30 * 86_400_000).toISOString();
      const reported = open.length > 50 && n % 3 === 0 ? open.splice(n % open.length, 1)[0] : undefined;
      const batch: EventDraft[] = [];
      if (reported && reported.type === 'case.reported') {
        const { caseId, kind, category, streetCode, communityCode, severity, peopleInvolved, weight, reportedAt } = reported.data;
        const ctx = { caseId, kind, category, streetCode, communityCode, severity, peopleInvolved, weight, reportedAt };
        if (n % 2 === 0) {
          const whistleId = randomUUID();
          const duty = { role: 'duty' as const, id: 'officer' };
          const lead = { role: 'dept' as const, id: 'labour', deptId: 'labour' };
          const due = { reportDueAt: at, reportEscalateAt: at, resolveDueAt: at, resolveEscalateAt: at };
          batch.push(
            { id: randomUUID(), type: 'case.triaged', sourceKey: `bench:t${n}`, data: { case: ctx, actor: duty, at, tier: 'community', channel: 'people' } },
            {
              id: randomUUID(),
              type: 'case.whistled',
              sourceKey: `bench:w${n}`,
              data: { case: ctx, actor: duty, at, whistleId, urgency: 'normal', tier: 'community', assignments: [{ deptId: 'labour', role: 'lead', ...due }, { deptId: `street-${streetCode}`, role: 'assist', ...due }] },
            },
            { id: randomUUID(), type: 'whistle.reportedIn', sourceKey: `bench:i${n}`, data: { case: ctx, actor: lead, at, whistleId, deptId: 'labour', role: 'lead', late: false } },
            { id: randomUUID(), type: 'case.resolved', sourceKey: `bench:r${n}`, data: { case: ctx, actor: lead, outcome: 'mediated', resolvedAt: at, whistleId, deptId: 'labour', tier: 'community', late: false } },
          );
        } else {
          batch.push({ id: randomUUID(), type: 'case.resolved', sourceKey: `bench:r${n}`, data: { case: ctx, source: 'hotline', outcome: 'mediated', resolvedAt: at } });
        }
      } else if (n % 97 === 0) {
        batch.push({ id: randomUUID(), type: 'alert.raised', sourceKey: `bench:a${n}`, data: { alertId: randomUUID(), source: 'system', level: 'yellow', title: '风险', streetCode: communities[n % communities.length]!.streetCode, raisedAt: at } });
      } else {
        const c = communities[n % communities.length]!;
        const draft: EventDraft = {
          id: randomUUID(),
          type: 'case.reported',
          sourceKey: `bench:c${n}`,
          data: {
            caseId: randomUUID(), kind: 'dispute', category: categories[n % categories.length]!, streetCode: c.streetCode, communityCode: c.code,
            severity: 1 + (n % 5), peopleInvolved: 1 + (n % 7), weight: 2.5, reportedAt: at, source: 'hotline', title: '某小区业主与物业服务纠纷',
            description: '业主反映物业服务质量问题，要求退还部分物业费。', parties: [{ role: 'applicant', name: '张三', phone: '13800001234', idNumber: '440307199001011234' }],
          },
        };
        batch.push(draft);
        open.push(draft);
      }
      for (const draft of batch.slice(0, count - written)) put(draft, at);
      written += Math.min(batch.length, count - written);
    }
  });
  while (seq < total) {
    writeSome(Math.min(TRANSACTION_ROWS, total - seq));
    onProgress?.(seq);
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return (performance.now() - started) / 1000;
}
