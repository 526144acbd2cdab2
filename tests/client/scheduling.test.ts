import { describe, expect, it } from 'vitest';
import { CellColours } from '../../client/lib/cell-colours.js';
import { FrameQueue } from '../../client/lib/frame-queue.js';
import { throttle, type Timers } from '../../client/lib/throttle.js';

class FakeTimers implements Timers {
  t = 0;
  pending: Array<{ at: number; run: () => void; id: number }> = [];
  #id = 0;
  now = (): number => this.t;
  set = (run: () => void, ms: number): unknown => {
    const id = ++this.#id;
    this.pending.push({ at: this.t + ms, run, id });
    return id;
  };
  clear = (handle: unknown): void => {
    this.pending = this.pending.filter((p) => p.id !== handle);
  };
  advance(ms: number): void {
    this.t += ms;
    const due = this.pending.filter((p) => p.at <= this.t);
    this.pending = this.pending.filter((p) => p.at > this.t);
    for (const p of due) p.run();
  }
}

describe('throttle', () => {
  it('runs at once when idle, then at most once per interval with the newest work', () => {
    const timers = new FakeTimers();
    const throttled = throttle(250, timers);
    const ran: string[] = [];
    throttled(() => ran.push('a'));
    expect(ran).toEqual(['a']);
    throttled(() => ran.push('b'));
    throttled(() => ran.push('c'));
    timers.advance(100);
    expect(ran).toEqual(['a']);
    timers.advance(150);
    expect(ran).toEqual(['a', 'c']);
    // Sixty calls over one second (one per frame) give at most four runs.
    for (let i = 0; i < 60; i++) {
      throttled(() => ran.push(`f${i}`));
      timers.advance(1000 / 60);
    }
    expect(ran.length - 2).toBeLessThanOrEqual(4);
    timers.advance(250);
    expect(ran.at(-1)).toBe('f59');
  });

  it('cancel drops the pending run', () => {
    const timers = new FakeTimers();
    const throttled = throttle(250, timers);
    const ran: number[] = [];
    throttled(() => ran.push(1));
    throttled(() => ran.push(2));
    throttled.cancel();
    timers.advance(500);
    expect(ran).toEqual([1]);
  });
});

describe('FrameQueue', () => {
  function setup(costMs: number) {
    let t = 0;
    const frames: Array<() => void> = [];
    const queue = new FrameQueue({ requestFrame: (run) => void frames.push(run), now: () => t }, 8);
    const ran: string[] = [];
    const job = (name: string) => () => {
      ran.push(name);
      t += costMs;
    };
    const frame = () => frames.splice(0).forEach((run) => run());
    return { queue, ran, job, frame, frames };
  }

  it('spreads jobs that overrun the budget over consecutive frames', () => {
    const { queue, ran, job, frame } = setup(10);
    for (const name of ['hourly', 'daily', 'hotspots']) queue.enqueue(name, job(name));
    frame();
    expect(ran).toEqual(['hourly']);
    frame();
    frame();
    expect(ran).toEqual(['hourly', 'daily', 'hotspots']);
    expect(queue.size).toBe(0);
  });

  it('runs cheap jobs together, and a job queued again before it ran runs once with the newest work', () => {
    const { queue, ran, job, frame, frames } = setup(1);
    queue.enqueue('a', job('a1'));
    queue.enqueue('b', job('b'));
    queue.enqueue('a', job('a2'));
    expect(frames).toHaveLength(1);
    frame();
    expect(ran).toEqual(['b', 'a2']);
  });

  it('cancel removes a queued job', () => {
    const { queue, ran, job, frame } = setup(1);
    queue.enqueue('a', job('a'));
    queue.cancel('a');
    frame();
    expect(ran).toEqual([]);
  });
});

describe('CellColours', () => {
  function setup() {
    let t = 0;
    const frames: Array<(t: number) => void> = [];
    const painted: Array<[string, number[]]> = [];
    const colours = new CellColours({
      paint: (code, rgb) => painted.push([code, rgb.map(Math.round)]),
      requestFrame: (step) => frames.push(step),
      cancelFrame: () => {},
      now: () => t,
      tweenMs: 800,
      stepMs: 64,
    });
    const frame = (ms = 16) => {
      t += ms;
      for (const step of frames.splice(0)) step(t);
    };
    return { colours, painted, frame };
  }

  it('shows a first colour at once and applies changes too small to see without easing', () => {
    const { colours, painted } = setup();
    colours.set('a', [0, 0, 0]);
    colours.set('a', [5, 5, 5]);
    expect(painted).toEqual([
      ['a', [0, 0, 0]],
      ['a', [5, 5, 5]],
    ]);
    expect(colours.moving).toBe(0);
  });

  it('eases a visible change in steps, reaching the target exactly, and repaints at most every step', () => {
    const { colours, painted, frame } = setup();
    colours.set('a', [0, 0, 0]);
    colours.set('a', [200, 100, 0]);
    painted.length = 0;
    for (let i = 0; i < 60; i++) frame();
    expect(painted.length).toBeGreaterThan(5);
    expect(painted.length).toBeLessThanOrEqual(Math.ceil(800 / 64) + 1);
    expect(painted.at(-1)).toEqual(['a', [200, 100, 0]]);
    const reds = painted.map(([, rgb]) => rgb[0]!);
    expect([...reds].sort((x, y) => x - y)).toEqual(reds);
    expect(colours.moving).toBe(0);
  });

  it('a new target while easing continues from the colour on screen', () => {
    const { colours, frame } = setup();
    colours.set('a', [0, 0, 0]);
    colours.set('a', [200, 0, 0]);
    for (let i = 0; i < 10; i++) frame();
    const midway = colours.shown('a')![0]!;
    expect(midway).toBeGreaterThan(0);
    expect(midway).toBeLessThan(200);
    colours.set('a', [0, 200, 0]);
    frame(64);
    expect(colours.shown('a')![0]).toBeLessThanOrEqual(midway);
  });
});
