/**
 * The duty desk's alarm over generated sequences of what the desk shows: what is there at first is the baseline and
 * never alarms; every item that arrives later alarms exactly once (a sound and a notification) unless its kind is
 * muted; the mutes persist per kind.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alarmKinds, DutyAlarm, type AlarmKind } from '../../client/lib/duty-alarm.svelte.js';

function memoryStorage() {
  const map = new Map<string, string>();
  return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
}

function harness(storage = memoryStorage()) {
  const played: string[] = [];
  const shown: Array<{ title: string; body: string; tag: string }> = [];
  const alarm = new DutyAlarm({
    storage,
    permission: () => 'granted',
    notify: (title, body, tag) => (shown.push({ title, body, tag }), true),
    sound: () => ({ play: (c) => (played.push(c), 1), unlock: async () => undefined, onState: (l) => (l('running'), () => undefined), close: () => undefined }),
  });
  const stop = alarm.start();
  return { alarm, played, shown, stop, storage };
}

const kind = fc.constantFrom(...alarmKinds);
const snapshot = fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { maxLength: 8 });

describe('DutyAlarm', () => {
  it('alarms each item once, after the baseline, and never for a muted kind', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(kind, snapshot), { minLength: 1, maxLength: 30 }), fc.subarray([...alarmKinds]), (steps, mutedKinds) => {
        const h = harness();
        for (const k of mutedKinds) h.alarm.toggle(k);
        const seen: Record<AlarmKind, Set<number> | null> = { redAlert: null, critical: null, returned: null };
        let expectedNotifications = 0;
        let expectedSounds = 0;
        for (const [k, ids] of steps) {
          const before = seen[k];
          const fresh = before ? ids.filter((i) => !before.has(i)) : [];
          seen[k] = new Set([...(before ?? []), ...ids]);
          const got = h.alarm.observe(k, ids.map((i) => ({ id: String(i), text: `place ${i}` })), `title ${k}`);
          expect(got.map((g) => Number(g.id))).toEqual(fresh);
          if (fresh.length && !mutedKinds.includes(k)) {
            expectedSounds += 1;
            expectedNotifications += Math.min(3, fresh.length);
          }
        }
        expect(h.played.length).toBe(expectedSounds);
        expect(h.shown.length).toBe(expectedNotifications);
        // Each notification is tagged with its item, so the system collapses repeats.
        expect(new Set(h.shown.map((s) => s.tag)).size).toBe(h.shown.length);
        h.stop();
      }),
    );
  });

  it('plays the urgent chime for red alerts and 特急 cases and the call for returns', () => {
    const h = harness();
    for (const k of alarmKinds) h.alarm.observe(k, [], '');
    h.alarm.observe('redAlert', [{ id: 'a', text: '' }], '');
    h.alarm.observe('critical', [{ id: 'c', text: '' }], '');
    h.alarm.observe('returned', [{ id: 'r', text: '' }], '');
    expect(h.played).toEqual(['critical', 'critical', 'whistle']);
  });

  it('keeps each kind\'s mute across page loads', () => {
    const storage = memoryStorage();
    const first = harness(storage);
    first.alarm.toggle('returned');
    const second = harness(storage);
    expect(alarmKinds.map((k) => second.alarm.muted(k))).toEqual([false, false, true]);
  });
});
