/**
 * The append precondition, part of the EventStore contract (run by contract.ts for every engine): "refuse me if the
 * log holds an event about this case (or alert) after seq S", checked under the append lock against the log and the
 * appends ahead in the same group commit; a refusal writes nothing for that append only and leaves seq gapless.
 */
import { describe, expect, it } from 'vitest';
import { AppendConflictError, type AppendPrecondition, type EventStore } from '../../server/store/event-store.js';
import { acknowledged, raised, reported, triaged, whistled } from '../helpers/event-drafts.js';

const aboutCase = (id: string, afterSeq: number): AppendPrecondition => ({ subject: { kind: 'case', id }, afterSeq });
const aboutAlert = (id: string, afterSeq: number): AppendPrecondition => ({ subject: { kind: 'alert', id }, afterSeq });

/** The conflict an append was refused with, or a failure naming what it got instead. */
async function conflictOf(append: Promise<unknown>): Promise<AppendConflictError> {
  const error = await append.then(
    () => expect.fail('the append was accepted'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppendConflictError);
  return error as AppendConflictError;
}

export function runPreconditionContract(openStore: () => Promise<{ store: EventStore }>): void {
  describe('append precondition', () => {
    const seqs = async (store: EventStore) => (await store.readAfter(0, 1000)).map((e) => e.seq);

    it('refuses an append when the log holds a later event about its case, writes nothing for it, and keeps seq gapless', async () => {
      const { store } = await openStore();
      await store.append([reported('c-1'), triaged('c-1')]);
      const refusal = await conflictOf(store.append([triaged('c-1', 'cmd:late')], { precondition: aboutCase('c-1', 1) }));
      expect(refusal.seq).toBe(2);
      expect(refusal.precondition).toEqual(aboutCase('c-1', 1));
      expect(await store.lastSeq()).toBe(2);
      // The report itself is about the case too (its id sits in `caseId`, not `case.caseId`).
      expect((await conflictOf(store.append([triaged('c-1')], { precondition: aboutCase('c-1', 0) }))).seq).toBe(2);
      const [next] = await store.append([triaged('c-1', 'cmd:late')]);
      expect(next).toMatchObject({ event: { seq: 3 }, duplicate: false });
      expect(await seqs(store)).toEqual([1, 2, 3]);
    });

    it('accepts an append when nothing about its case came after the seq it names', async () => {
      const { store } = await openStore();
      await store.append([reported('c-1'), reported('c-2'), triaged('c-2'), raised('a-1'), acknowledged('a-1')]);
      const [ok] = await store.append([triaged('c-1')], { precondition: aboutCase('c-1', 1) });
      expect(ok!.event.seq).toBe(6);
      // Up to and including the named seq is what the caller saw.
      const [again] = await store.append([triaged('c-1')], { precondition: aboutCase('c-1', 6) });
      expect(again!.event.seq).toBe(7);
      expect(await seqs(store)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    });

    it('counts alert events and a whistle blown from the alert as events about the alert, and nothing else', async () => {
      const { store } = await openStore();
      await store.append([raised('a-1'), raised('a-2'), reported('c-1')]);
      const [ok] = await store.append([acknowledged('a-1')], { precondition: aboutAlert('a-1', 1) });
      expect(ok!.event.seq).toBe(4);
      expect((await conflictOf(store.append([acknowledged('a-1')], { precondition: aboutAlert('a-1', 1) }))).seq).toBe(4);
      await store.append([whistled('c-1', 'a-2')]);
      expect((await conflictOf(store.append([acknowledged('a-2')], { precondition: aboutAlert('a-2', 2) }))).seq).toBe(5);
      // The whistle is about its case as well; the alert events are about no case.
      expect((await conflictOf(store.append([triaged('c-1')], { precondition: aboutCase('c-1', 3) }))).seq).toBe(5);
      const [other] = await store.append([triaged('c-1')], { precondition: aboutCase('c-1', 5) });
      expect(other!.event.seq).toBe(6);
      expect(await seqs(store)).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('in one group commit refuses only the append whose case changed, counting the appends ahead of it, and numbers the rest gaplessly', async () => {
      const { store } = await openStore();
      await store.append([reported('c-1'), reported('c-2')]);
      // The first append is in flight alone; the next five arrive meanwhile and share the following commit.
      const results = await Promise.allSettled([
        store.append([raised('a-1')]),
        store.append([triaged('c-1')], { precondition: aboutCase('c-1', 0) }), // the report (seq 1) came after 0: refused
        store.append([triaged('c-1')], { precondition: aboutCase('c-1', 2) }), // the one above was refused: accepted
        store.append([triaged('c-1')], { precondition: aboutCase('c-1', 2) }), // the one above is ahead in the group: refused
        store.append([triaged('c-2')], { precondition: aboutCase('c-2', 2) }),
        store.append([acknowledged('a-1')], { precondition: aboutAlert('a-1', 3) }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      const seqOf = (r: PromiseSettledResult<Array<{ event: { seq: number } }>>) => (r.status === 'fulfilled' ? r.value[0]!.event.seq : (r.reason as AppendConflictError).seq);
      expect(results.map(seqOf)).toEqual([3, 1, 4, 4, 5, 6]);
      expect(await seqs(store)).toEqual([1, 2, 3, 4, 5, 6]);
      const [next] = await store.append([triaged('c-2')]);
      expect(next!.event.seq).toBe(7);
    });

    it('lets a retried append that writes nothing return its stored event, whatever came after', async () => {
      const { store } = await openStore();
      const [first] = await store.append([reported('c-1'), triaged('c-1', 'cmd:1')]);
      await store.append([triaged('c-1')]);
      const [retry] = await store.append([triaged('c-1', 'cmd:1')], { precondition: aboutCase('c-1', first!.event.seq) });
      expect(retry).toMatchObject({ event: { seq: 2, sourceKey: 'cmd:1' }, duplicate: true });
      expect(await store.lastSeq()).toBe(3);
    });

    it('rejects a precondition it cannot check before it reaches a group commit', async () => {
      const { store } = await openStore();
      await expect(store.append([triaged('c-1')], { precondition: aboutCase('c-1', Number.NaN) })).rejects.toBeInstanceOf(TypeError);
      await expect(store.append([triaged('c-1')], { precondition: aboutCase('', 0) })).rejects.toBeInstanceOf(TypeError);
      expect(await store.lastSeq()).toBe(0);
    });
  });
}
