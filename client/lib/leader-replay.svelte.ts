/**
 * The time slider's player: which frame of the heat history is shown, and play/pause stepping through the frames.
 * Left at the end it follows the newest frame when the history is refetched; moved back, it stays where it was put.
 */
export class ReplayPlayer {
  #index = $state(0);
  #count = $state(0);
  #playing = $state(false);
  #followLatest = true;
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #stepMs: number;

  constructor(options: { stepMs?: number } = {}) {
    this.#stepMs = options.stepMs ?? 180;
  }

  get index(): number {
    return this.#index;
  }

  get playing(): boolean {
    return this.#playing;
  }

  get atLatest(): boolean {
    return this.#index >= this.#count - 1;
  }

  /** A (re)fetched history with `count` frames. */
  setCount(count: number): void {
    this.#count = count;
    if (this.#followLatest || this.#index > count - 1) this.#index = Math.max(0, count - 1);
  }

  seek(index: number): void {
    this.#index = Math.min(Math.max(0, Math.round(index)), Math.max(0, this.#count - 1));
    this.#followLatest = this.atLatest;
  }

  play(): void {
    if (this.#playing || this.#count < 2) return;
    if (this.atLatest) this.#index = 0;
    this.#followLatest = false;
    this.#playing = true;
    this.#timer = setInterval(() => {
      if (this.#index < this.#count - 1) this.#index += 1;
      if (this.atLatest) {
        this.#followLatest = true;
        this.pause();
      }
    }, this.#stepMs);
  }

  pause(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#playing = false;
  }

  toggle(): void {
    if (this.#playing) this.pause();
    else this.play();
  }

  dispose(): void {
    this.pause();
  }
}
