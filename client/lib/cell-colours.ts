/**
 * Eases each map cell from the colour it shows to its new target. Visible jumps ease over `tweenMs` in steps of
 * `stepMs` (one canvas redraw per step for all moving cells); changes too small to see are applied at once.
 */
import { mix, sameColor, type Rgb } from './color-scale.js';

export interface CellColourOptions {
  /** Shows a colour on a cell (Leaflet `setStyle`). */
  paint(code: string, rgb: Rgb): void;
  requestFrame(step: (t: number) => void): number;
  cancelFrame(handle: number): void;
  now(): number;
  tweenMs?: number;
  stepMs?: number;
  /** Largest per-channel change applied without easing. */
  snapDelta?: number;
}

export class CellColours {
  readonly #o: Required<CellColourOptions>;
  readonly #shown = new Map<string, Rgb>();
  readonly #tweens = new Map<string, { from: Rgb; to: Rgb; start: number }>();
  #frame = 0;
  #lastStep = -Infinity;

  constructor(options: CellColourOptions) {
    this.#o = { tweenMs: 800, stepMs: 64, snapDelta: 12, ...options };
  }

  get moving(): number {
    return this.#tweens.size;
  }

  shown(code: string): Rgb | undefined {
    return this.#shown.get(code);
  }

  set(code: string, to: Rgb): void {
    const current = this.#shown.get(code);
    const running = this.#tweens.get(code);
    if (running ? sameColor(running.to, to) : current && sameColor(current, to)) return;
    if (!current || Math.max(...to.map((c, i) => Math.abs(c - current[i]!))) < this.#o.snapDelta) {
      this.#tweens.delete(code);
      this.#show(code, to);
      return;
    }
    this.#tweens.set(code, { from: current, to, start: this.#o.now() });
    if (!this.#frame) this.#frame = this.#o.requestFrame((t) => this.#step(t));
  }

  dispose(): void {
    if (this.#frame) this.#o.cancelFrame(this.#frame);
    this.#frame = 0;
    this.#tweens.clear();
  }

  #show(code: string, rgb: Rgb): void {
    this.#shown.set(code, rgb);
    this.#o.paint(code, rgb);
  }

  #step(t: number): void {
    this.#frame = 0;
    if (t - this.#lastStep >= this.#o.stepMs) {
      this.#lastStep = t;
      for (const [code, tween] of this.#tweens) {
        const f = Math.min(1, Math.max(0, (t - tween.start) / this.#o.tweenMs));
        this.#show(code, mix(tween.from, tween.to, f * (2 - f)));
        if (f >= 1) this.#tweens.delete(code);
      }
    }
    if (this.#tweens.size > 0) this.#frame = this.#o.requestFrame((next) => this.#step(next));
  }
}
