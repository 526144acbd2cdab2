/**
 * The wall is laid out in rem, with the root font size set from the viewport (1 rem = 16 px on a 1920×1080 screen,
 * 32 px on 3840×2160). Canvas-drawn text (ECharts) takes its sizes from here so it scales with the rest.
 */
function readRem(): number {
  if (typeof document === 'undefined') return 16;
  return parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
}

class Viewport {
  #rem = $state(readRem());

  /** Pixels per rem. */
  get rem(): number {
    return this.#rem;
  }

  /** Pixels for a size given in px at 1080p. */
  px = (at1080p: number): number => Math.round((at1080p * this.#rem) / 16);

  watch(): () => void {
    const update = (): void => {
      this.#rem = readRem();
    };
    update();
    window.addEventListener('resize', update);
    return () => window.removeEventListener('resize', update);
  }
}

export const viewport = new Viewport();
