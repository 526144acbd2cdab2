/**
 * Leading + trailing throttle: runs at once when idle, then at most once per `intervalMs` with the latest call's
 * work, so a chart fed every frame redraws a few times a second and always ends on the newest data.
 */
export interface Timers {
  now(): number;
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  now: () => performance.now(),
  set: (run, ms) => setTimeout(run, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface Throttled {
  (run: () => void): void;
  cancel(): void;
}

export function throttle(intervalMs: number, timers: Timers = realTimers): Throttled {
  let last = -Infinity;
  let pending: (() => void) | null = null;
  let handle: unknown = null;

  const fire = (): void => {
    handle = null;
    const run = pending;
    pending = null;
    if (!run) return;
    last = timers.now();
    run();
  };

  const throttled = ((run: () => void) => {
    pending = run;
    if (handle !== null) return;
    const wait = last + intervalMs - timers.now();
    if (wait <= 0) fire();
    else handle = timers.set(fire, wait);
  }) as Throttled;

  throttled.cancel = () => {
    if (handle !== null) timers.clear(handle);
    handle = null;
    pending = null;
  };
  return throttled;
}
