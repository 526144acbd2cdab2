/**
 * The AuditLog contract: both engines (SQLite and PostgreSQL) run this same suite. Tampering goes straight to the
 * storage with SQL, as someone holding the database file or a database login would, bypassing the log.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditDraft, AuditEntry } from '../../../shared/audit.js';
import { AuditChainBrokenError, AuditValidationError, type AuditLog } from '../../../server/audit/audit-log.js';
import { GENESIS_HASH } from '../../../server/audit/chain.js';

export interface AuditFixture {
  /** Opens a log on fresh storage, or again on the storage `location` names. */
  open(clock: () => number, location?: string): Promise<{ log: AuditLog; location: string }>;
  /** Runs one SQL statement on the storage behind the log; `sql` gets the quoted table names. */
  tamper(location: string, sql: (tables: { audit: string; meta: string }) => string): Promise<void>;
  /** Command-line flags that point the verify CLI at the log. */
  cliArgs(location: string): string[];
}

const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const DAY = 86_400_000;

/** A clock the test moves. */
export function testClock(start = T0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

export function draft(overrides: Partial<AuditDraft> = {}): AuditDraft {
  return {
    actor: { kind: 'user', id: 'u-1', name: '值班员甲', role: 'duty' },
    action: 'command',
    target: 'case-1',
    outcome: 'ok',
    ip: '10.0.0.7',
    userAgent: 'Mozilla/5.0',
    details: { command: 'case.whistle', departments: ['court', 'labour'] },
    ...overrides,
  };
}

/** Runs the real CLI in its own process; resolves with its exit code and output. */
export function runCli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = path.join(import.meta.dirname, '../../../server/audit/cli.ts');
  // A clean environment: the server's variables in the test's own environment must not point it elsewhere.
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'verify', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function runAuditContract(engine: string, fixture: AuditFixture): void {
  describe(`AuditLog contract: ${engine}`, () => {
    const opened: AuditLog[] = [];
    const open = async (clock = testClock().now, location?: string) => {
      const result = await fixture.open(clock, location);
      opened.push(result.log);
      return result;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((log) => log.close()));
    });

    /** A log of `count` entries, one a minute, targets case-1, case-2, … */
    const filled = async (count: number, clock = testClock()) => {
      const result = await open(clock.now);
      for (let i = 1; i <= count; i++) {
        await result.log.record(draft({ target: `case-${i}`, details: { n: i } }));
        clock.advance(60_000);
      }
      return { ...result, clock };
    };

    it('records entries with gapless seqs, the clock, and a chain from 64 zeros, and lists them back intact, newest first', async () => {
      const clock = testClock();
      const { log } = await open(clock.now);
      const first = await log.record(draft({ actor: { kind: 'anonymous' }, action: 'login.failed', outcome: 'failed', target: undefined, details: undefined }));
      clock.advance(1000);
      const [second, third] = await log.recordMany([draft({ userAgent: 'x'.repeat(500) }), draft({ actor: { kind: 'kiosk', id: 'k-9' }, action: 'intake' })]);
      expect(first).toMatchObject({ seq: 1, at: new Date(T0).toISOString(), prevHash: GENESIS_HASH, action: 'login.failed', actor: { kind: 'anonymous' } });
      expect(first.target).toBeUndefined();
      expect(first.details).toBeUndefined();
      expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(second).toMatchObject({ seq: 2, at: new Date(T0 + 1000).toISOString(), prevHash: first.hash });
      expect(second!.userAgent).toBe('x'.repeat(200));
      expect(third).toMatchObject({ seq: 3, prevHash: second!.hash, details: { command: 'case.whistle', departments: ['court', 'labour'] } });

      const listed = await log.list({ limit: 10 });
      expect(listed).toEqual([third, second, first]);
    });

    it('filters lists by actor, action, target and time, and pages with a seq cursor', async () => {
      const clock = testClock();
      const { log } = await open(clock.now);
      await log.record(draft({ actor: { kind: 'user', id: 'alice' }, action: 'login.succeeded', target: undefined }));
      clock.advance(DAY);
      await log.record(draft({ actor: { kind: 'user', id: 'bob' }, action: 'case.unmasked', target: 'case-7', details: { reason: '调解需要联系当事人' } }));
      clock.advance(DAY);
      await log.record(draft({ actor: { kind: 'user', id: 'alice' }, action: 'export', target: 'case-7' }));
      await log.record(draft({ actor: { kind: 'apikey', id: 'key-12345' }, action: 'intake', target: undefined }));

      const seqs = (entries: AuditEntry[]) => entries.map((e) => e.seq);
      expect(seqs(await log.list({ limit: 10, actorId: 'alice' }))).toEqual([3, 1]);
      expect(seqs(await log.list({ limit: 10, action: 'case.unmasked' }))).toEqual([2]);
      expect(seqs(await log.list({ limit: 10, target: 'case-7' }))).toEqual([3, 2]);
      expect(seqs(await log.list({ limit: 10, from: new Date(T0 + DAY) }))).toEqual([4, 3, 2]);
      expect(seqs(await log.list({ limit: 10, from: new Date(T0 + DAY).toISOString(), to: new Date(T0 + 2 * DAY) }))).toEqual([2]);
      expect(seqs(await log.list({ limit: 2 }))).toEqual([4, 3]);
      expect(seqs(await log.list({ limit: 2, before: 3 }))).toEqual([2, 1]);
      expect(seqs(await log.list({ limit: 10, actorId: 'alice', before: 3 }))).toEqual([1]);
    });

    it('rejects a malformed draft or filter with a clear error, records nothing of it, and never throws synchronously', async () => {
      const { log } = await open();
      const bad = [
        { ...draft(), action: 'case.deleted' },
        { ...draft(), outcome: undefined },
        { ...draft(), details: { password: 'hunter2' } },
        { ...draft(), details: { nested: { accessToken: 'abc' } } },
        { ...draft(), details: { at: new Date() } },
        { ...draft(), details: { blob: 'x'.repeat(5000) } },
        { ...draft(), details: [1, 2] },
        null,
      ] as unknown as AuditDraft[];
      for (const input of bad) {
        // No try/catch needed around the call: a bad draft rejects, it does not throw.
        await expect(log.record(input)).rejects.toBeInstanceOf(AuditValidationError);
      }
      await expect(log.record({ ...draft(), action: 'case.deleted' } as unknown as AuditDraft)).rejects.toThrow(/action/);
      await expect(log.record({ ...draft(), details: { password: 'x' } })).rejects.toThrow(/details.*secret/);
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await expect(log.record(draft({ details: cyclic }))).rejects.toBeInstanceOf(AuditValidationError);
      // One bad draft in a batch refuses the whole batch.
      await expect(log.recordMany([draft(), { ...draft(), ip: 7 } as unknown as AuditDraft])).rejects.toThrow(/\[1\]\.ip/);
      await expect(log.list({ limit: 0 })).rejects.toBeInstanceOf(AuditValidationError);
      await expect(log.list({ limit: 10, from: 'yesterday' })).rejects.toBeInstanceOf(AuditValidationError);
      await expect(log.prune(new Date(Number.NaN))).rejects.toBeInstanceOf(AuditValidationError);

      expect((await log.record(draft())).seq).toBe(1);
      expect(await log.verify()).toMatchObject({ ok: true, entries: 1 });
    });

    it('stores what an attacker types as cleaned text that still verifies (NUL, broken surrogates, extra keys)', async () => {
      const { log } = await open();
      const hostile = { kind: 'anonymous', name: 'admin\u0000--', id: 'x\ud800y', password: 'should vanish' } as AuditDraft['actor'];
      const entry = await log.record(draft({ actor: hostile, action: 'login.failed', outcome: 'failed', userAgent: 'curl\u0000', details: { 'k\u0000': 'v\udfff' } }));
      expect(entry.actor).toEqual({ kind: 'anonymous', name: 'admin\uFFFD--', id: 'x\uFFFDy' });
      expect(entry.userAgent).toBe('curl\uFFFD');
      expect(entry.details).toEqual({ 'k\uFFFD': 'v\uFFFD' });
      expect((await log.list({ limit: 1 }))[0]).toEqual(entry);
      expect(await log.verify()).toMatchObject({ ok: true, entries: 1 });
    });

    it('keeps seq gapless and the chain whole under hundreds of concurrent records', async () => {
      const { log } = await open();
      const singles = Array.from({ length: 300 }, (_, i) => log.record(draft({ target: `case-${i}` })));
      const batches = Array.from({ length: 5 }, (_, i) => log.recordMany(Array.from({ length: 20 }, (__, j) => draft({ target: `batch-${i}-${j}` }))));
      const entries = [...(await Promise.all(singles)), ...(await Promise.all(batches)).flat()];
      expect(entries.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
      for (const batch of await Promise.all(batches)) {
        expect(batch.map((e) => e.seq)).toEqual(batch.map((_, k) => batch[0]!.seq + k));
      }
      expect(await log.verify()).toEqual({ ok: true, entries: 400, head: { seq: 400, hash: entries.find((e) => e.seq === 400)!.hash } });
    });

    it('verifies an intact chain (empty, and across several pages) and reopens where it left off', async () => {
      const clock = testClock();
      const { log, location } = await open(clock.now);
      expect(await log.verify()).toEqual({ ok: true, entries: 0, head: { seq: 0, hash: GENESIS_HASH } });
      for (let i = 0; i < 5; i++) await log.recordMany(Array.from({ length: 500 }, (_, j) => draft({ details: { i, j } })));
      await log.close();
      const again = await open(clock.now, location);
      const next = await again.log.record(draft());
      expect(next.seq).toBe(2501);
      expect(await again.log.verify()).toEqual({ ok: true, entries: 2501, head: { seq: 2501, hash: next.hash } });
    });

    describe('tampering', () => {
      it('detects details changed in place', async () => {
        const { log, location } = await filled(6);
        await fixture.tamper(location, (t) => `UPDATE ${t.audit} SET details = '{"n": 99}' WHERE seq = 3`);
        expect(await log.verify()).toEqual({ ok: false, seq: 3, reason: expect.stringMatching(/hash does not match its contents/) });
      });

      it('detects a changed actor', async () => {
        const { log, location } = await filled(6);
        await fixture.tamper(location, (t) => `UPDATE ${t.audit} SET actor_id = 'someone-else' WHERE seq = 5`);
        expect(await log.verify()).toMatchObject({ ok: false, seq: 5 });
      });

      it('detects a deleted entry in the middle, naming the missing seq', async () => {
        const { log, location } = await filled(8);
        await fixture.tamper(location, (t) => `DELETE FROM ${t.audit} WHERE seq = 4`);
        expect(await log.verify()).toEqual({ ok: false, seq: 4, reason: expect.stringMatching(/entry 4 is missing/) });
      });

      it('detects a changed hash, and a hash rewritten along with the next link', async () => {
        const { log, location } = await filled(6);
        await fixture.tamper(location, (t) => `UPDATE ${t.audit} SET hash = '${'ab'.repeat(32)}' WHERE seq = 2`);
        expect(await log.verify()).toMatchObject({ ok: false, seq: 2 });
        await fixture.tamper(location, (t) => `UPDATE ${t.audit} SET prev_hash = '${'ab'.repeat(32)}' WHERE seq = 3`);
        expect(await log.verify()).toMatchObject({ ok: false, seq: 2 });
      });

      it('detects a broken prev link', async () => {
        const { log, location } = await filled(6);
        await fixture.tamper(location, (t) => `UPDATE ${t.audit} SET prev_hash = '${'0'.repeat(64)}' WHERE seq = 4`);
        expect(await log.verify()).toEqual({ ok: false, seq: 4, reason: expect.stringMatching(/prevHash does not match the hash of entry 3/) });
      });

      it('detects entries cut off the end', async () => {
        const { log, location } = await filled(6);
        await fixture.tamper(location, (t) => `DELETE FROM ${t.audit} WHERE seq >= 5`);
        expect(await log.verify()).toEqual({ ok: false, seq: 5, reason: expect.stringMatching(/entries 5–6 are missing/) });
      });

      it('finds tampering past the first page of a long chain', async () => {
        const { log, location } = await open();
        for (let i = 0; i < 5; i++) await log.recordMany(Array.from({ length: 500 }, () => draft()));
        await fixture.tamper(location, (t) => `UPDATE ${t.audit} SET ip = '6.6.6.6' WHERE seq = 1777`);
        expect(await log.verify()).toMatchObject({ ok: false, seq: 1777 });
      });
    });

    describe('retention', () => {
      it('prunes entries before a time, keeps the chain verifiable from a checkpoint, and records audit.pruned', async () => {
        const clock = testClock();
        const { log, location } = await open(clock.now);
        for (let day = 0; day < 10; day++) {
          await log.recordMany([draft({ details: { day } }), draft({ details: { day } })]);
          clock.advance(DAY);
        }
        const deleted = await log.prune(new Date(T0 + 5 * DAY));
        expect(deleted).toBe(10);
        const [pruned] = await log.list({ limit: 1 });
        expect(pruned).toMatchObject({
          seq: 21,
          action: 'audit.pruned',
          actor: { kind: 'system' },
          outcome: 'ok',
          details: { before: new Date(T0 + 5 * DAY).toISOString(), deleted: 10, checkpointSeq: 10 },
        });
        expect((await log.list({ limit: 100 })).map((e) => e.seq).at(-1)).toBe(11);
        expect(await log.verify()).toEqual({ ok: true, entries: 11, head: { seq: 21, hash: pruned!.hash } });

        // The chain goes on from there, across a reopen, and tampering after a prune is still found.
        const next = await log.record(draft());
        expect(next).toMatchObject({ seq: 22, prevHash: pruned!.hash });
        expect(await log.prune(new Date(T0))).toBe(0);
        expect((await log.list({ limit: 1 }))[0]!.seq).toBe(22);
        await log.close();
        const again = await open(clock.now, location);
        expect(await again.log.verify()).toMatchObject({ ok: true, entries: 12 });
        await fixture.tamper(location, (t) => `DELETE FROM ${t.audit} WHERE seq = 11`);
        expect(await again.log.verify()).toEqual({ ok: false, seq: 11, reason: expect.stringMatching(/missing/) });
      });

      it('prunes a long stretch in several transactions, with one audit.pruned entry', async () => {
        const clock = testClock();
        const { log } = await open(clock.now);
        for (let day = 0; day < 3; day++) {
          await log.recordMany(Array.from({ length: 1000 }, () => draft()));
          await log.recordMany(Array.from({ length: 250 }, () => draft()));
          clock.advance(DAY);
        }
        expect(await log.prune(new Date(T0 + 2 * DAY))).toBe(2500);
        expect(await log.list({ limit: 10, action: 'audit.pruned' })).toMatchObject([{ seq: 3751, details: { deleted: 2500, checkpointSeq: 2500 } }]);
        expect(await log.verify()).toMatchObject({ ok: true, entries: 1251, head: { seq: 3751 } });
      });

      it('can prune everything, and the chain starts again from the checkpoint', async () => {
        const { log, clock } = await filled(4);
        const head = (await log.verify()) as { head: { hash: string } };
        expect(await log.prune(new Date(clock.now() + DAY))).toBe(4);
        const entries = await log.list({ limit: 10 });
        expect(entries).toHaveLength(1);
        expect(entries[0]).toMatchObject({ seq: 5, action: 'audit.pruned', prevHash: head.head.hash });
        expect(await log.verify()).toMatchObject({ ok: true, entries: 1 });
      });

      it('refuses to prune a stretch that was tampered with, and deletes none of it', async () => {
        const { log, location, clock } = await filled(6);
        await fixture.tamper(location, (t) => `UPDATE ${t.audit} SET outcome = 'ok', target = 'case-x' WHERE seq = 2`);
        await expect(log.prune(new Date(clock.now()))).rejects.toBeInstanceOf(AuditChainBrokenError);
        expect(await log.list({ limit: 10 })).toHaveLength(6);
        expect(await log.verify()).toMatchObject({ ok: false, seq: 2 });
      });
    });

    describe('verify CLI', () => {
      it('exits 0 on an intact log and 1, naming the entry, once it was tampered with', async () => {
        const { location } = await filled(5);
        const intact = await runCli(fixture.cliArgs(location));
        expect(intact.stderr).toBe('');
        expect(intact.stdout).toMatch(/intact: 5 entries/);
        expect(intact.code).toBe(0);
        await fixture.tamper(location, (t) => `UPDATE ${t.audit} SET actor_name = 'nobody' WHERE seq = 3`);
        const tampered = await runCli(fixture.cliArgs(location));
        expect(tampered.stdout).toMatch(/TAMPERED.*entry 3: its hash does not match/);
        expect(tampered.code).toBe(1);
      });
    });
  });
}
