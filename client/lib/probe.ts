/**
 * Measurement hook for the browser tests and the wall benchmark. A harness defines `window.__wallProbe` before the
 * app loads (Playwright `addInitScript`); without it the wall pays one property read per socket batch.
 */
import type { PublicEvent } from '../../shared/events.js';
import type { CommunityView } from '../../shared/wall-state.js';

export interface WallProbe {
  /** A batch came off the socket (before any queueing). */
  received?(events: readonly PublicEvent[], at: number): void;
  /** Events were folded into the wall state; the DOM and canvases update from here on. */
  applied?(events: readonly PublicEvent[], at: number): void;
  /** The map is up: where (page px) an area's label point sits, so a harness can click the canvas there. */
  mapReady?(map: MapProbe): void;
}

export interface MapProbe {
  pointOf(code: string): { x: number; y: number } | null;
  /** The figures the map is showing (colours and labels) for a community. */
  figureOf(code: string): CommunityView | null;
}

export function probe(): WallProbe | undefined {
  return (globalThis as { __wallProbe?: WallProbe }).__wallProbe;
}
