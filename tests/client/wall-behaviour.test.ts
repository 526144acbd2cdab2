import { describe, expect, it } from 'vitest';
import { AlertTakeover } from '../../client/lib/alert-takeover.svelte.js';
import { messages, translate, type MessageKey } from '../../client/lib/i18n.js';
import { parseRoute } from '../../client/lib/route.js';
import { Tour } from '../../client/lib/tour.svelte.js';
import { alert, COMMUNITY, NOW, reported, STREET } from './factories.js';

describe('Tour', () => {
  function setup(held = false) {
    let t = 0;
    let at: string | null = null;
    const tour = new Tour({
      seconds: () => 20,
      pauseMs: 60_000,
      current: () => at,
      stops: () => [null, 'a', 'b'],
      held: () => held,
      go: (stop) => (at = stop),
      now: () => t,
    });
    const wait = (seconds: number) => {
      for (let i = 0; i < seconds; i++) {
        t += 1000;
        tour.tick();
      }
    };
    return { tour, wait, where: () => at };
  }

  it('visits the district and then each street, every N seconds, round and round', () => {
    const { wait, where } = setup();
    wait(19);
    expect(where()).toBeNull();
    wait(1);
    expect(where()).toBe('a');
    wait(20);
    expect(where()).toBe('b');
    wait(20);
    expect(where()).toBeNull();
  });

  it('pauses for a minute after an interaction, counting down, then resumes', () => {
    const { tour, wait, where } = setup();
    wait(10);
    tour.interacted();
    expect(tour.paused).toBe(true);
    wait(30);
    expect(tour.resumesIn).toBe(30);
    wait(30);
    expect(where()).toBeNull();
    expect(tour.paused).toBe(false);
    wait(20);
    expect(where()).toBe('a');
  });

  it('stays put while something holds the map', () => {
    const { wait, where } = setup(true);
    wait(120);
    expect(where()).toBeNull();
  });
});

describe('AlertTakeover', () => {
  function setup() {
    const timers: Array<{ run: () => void; ms: number }> = [];
    const takeover = new AlertTakeover({ setTimer: (run, ms) => timers.push({ run, ms }), clearTimer: () => {} });
    return { takeover, timers };
  }

  it('a fresh red alert shows a banner and holds the map on its area, each for a while', () => {
    const { takeover, timers } = setup();
    takeover.consider([reported(1), alert(2, 'orange')], NOW);
    expect(takeover.banner).toBeNull();
    takeover.consider([alert(3, 'red')], NOW);
    expect(takeover.banner?.seq).toBe(3);
    expect(takeover.flyTo).toEqual({ streetCode: STREET, communityCode: COMMUNITY });
    const fly = timers.find((t) => t.ms < 10_000)!;
    fly.run();
    expect(takeover.flyTo).toBeNull();
    expect(takeover.banner?.seq).toBe(3);
  });

  it('an old red alert (replayed after an outage) does not take over', () => {
    const { takeover } = setup();
    takeover.consider([alert(3, 'red')], NOW + 60 * 60_000);
    expect(takeover.banner).toBeNull();
  });
});

describe('i18n', () => {
  it('has every key in both languages, none empty, with the same placeholders', () => {
    const placeholders = (s: string) => [...new Set([...s.matchAll(/\{(\w+)(?:\}|, plural,)/g)].map((m) => m[1]))].sort();
    for (const key of Object.keys(messages.zh) as MessageKey[]) {
      expect(messages.en[key], key).toBeTruthy();
      expect(placeholders(messages.en[key]), key).toEqual(placeholders(messages.zh[key]));
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('zh', 'conn.offline', { time: '12:00:00' })).toBe('离线 · 自 12:00:00');
    expect(translate('en', 'conn.offline')).toBe('Offline · since {time}');
  });
});

describe('routes', () => {
  it('defaults to the wall and knows the other views', () => {
    expect(parseRoute('')).toBe('wall');
    expect(parseRoute('#/nowhere')).toBe('wall');
    expect(parseRoute('#/duty')).toBe('duty');
    expect(parseRoute('#/leader?x=1')).toBe('leader');
  });
});
