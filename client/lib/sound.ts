/**
 * The department console's alert sound, synthesised with Web Audio (no asset files on an intranet box). Browsers keep
 * an AudioContext suspended until a user gesture on the page, so `state` says whether a sound would be heard and the
 * console shows an "enable sound" button while it is `suspended`; any click or key on the page also unlocks it.
 *
 * Every oscillator that actually starts is counted in `document.body.dataset.soundsPlayed`: a browser test reads it
 * to know the sound played without mocking this module.
 */
export type SoundState = 'running' | 'suspended' | 'unavailable';
export type Chime = 'whistle' | 'critical';

/** Notes of each chime: [frequency Hz, start s, length s]. 特急 is three quick high beeps, a whistle a two-tone call. */
const patterns: Record<Chime, Array<[number, number, number]>> = {
  whistle: [
    [880, 0, 0.22],
    [660, 0.26, 0.32],
  ],
  critical: [
    [1320, 0, 0.12],
    [1320, 0.18, 0.12],
    [1320, 0.36, 0.2],
  ],
};

type AudioContextCtor = new () => AudioContext;

export class AlertSound {
  #context: AudioContext | null = null;
  readonly #listeners = new Set<(state: SoundState) => void>();
  readonly #unlock = (): void => void this.unlock();

  constructor(Ctor: AudioContextCtor | undefined = globalThis.AudioContext) {
    if (!Ctor) return;
    try {
      this.#context = new Ctor();
    } catch {
      return;
    }
    this.#context.addEventListener('statechange', () => {
      this.#listen();
      this.#emit();
    });
    this.#listen();
  }

  get state(): SoundState {
    const s = this.#context?.state;
    return s === 'running' ? 'running' : s === undefined || s === 'closed' ? 'unavailable' : 'suspended';
  }

  onState(listener: (state: SoundState) => void): () => void {
    this.#listeners.add(listener);
    listener(this.state);
    return () => this.#listeners.delete(listener);
  }

  /** Must run inside a user gesture's handler to succeed. */
  async unlock(): Promise<void> {
    const context = this.#context;
    if (!context || context.state === 'running') return;
    try {
      await context.resume();
    } catch {
      // Still blocked: the button stays on screen.
    }
    this.#listen();
    this.#emit();
  }

  /** Plays a chime now; returns how many oscillators started (0 while the browser still blocks audio). */
  play(chime: Chime): number {
    const context = this.#context;
    if (!context || context.state !== 'running') return 0;
    const t0 = context.currentTime + 0.02;
    const notes = patterns[chime];
    for (const [frequency, start, length] of notes) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.value = frequency;
      // A short attack and release: a bare on/off square clicks.
      gain.gain.setValueAtTime(0.0001, t0 + start);
      gain.gain.exponentialRampToValueAtTime(0.35, t0 + start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + start + length);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(t0 + start);
      oscillator.stop(t0 + start + length + 0.02);
      countPlayed();
    }
    return notes.length;
  }

  close(): void {
    this.#stopListening();
    this.#listeners.clear();
    void this.#context?.close().catch(() => undefined);
    this.#context = null;
  }

  /** While audio is blocked, the next click or key anywhere on the page unblocks it (a browser may suspend it again). */
  #listen(): void {
    if (this.#context?.state === 'suspended') {
      window.addEventListener('pointerdown', this.#unlock, true);
      window.addEventListener('keydown', this.#unlock, true);
    } else this.#stopListening();
  }

  #stopListening(): void {
    window.removeEventListener('pointerdown', this.#unlock, true);
    window.removeEventListener('keydown', this.#unlock, true);
  }

  #emit(): void {
    for (const listener of this.#listeners) listener(this.state);
  }
}

function countPlayed(): void {
  const body = globalThis.document?.body;
  if (body) body.dataset.soundsPlayed = String(Number(body.dataset.soundsPlayed ?? 0) + 1);
}
