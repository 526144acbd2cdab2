/**
 * What the wall's browser tests and the wall benchmark share: a built client, Debian's Chromium driven by
 * playwright-core, a page with the measurement probe installed, and intake helpers.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { IntakeResult } from '../../shared/intake.js';
import { integrationKey } from '../helpers/auth.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const DIST_INDEX = path.join(ROOT, 'dist', 'client', 'index.html');

export const chromiumAvailable = (): boolean => fs.existsSync(CHROMIUM);

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** The server serves dist/client: build it when missing or older than the sources. */
export function ensureClientBuilt(): void {
  const built = fs.existsSync(DIST_INDEX) ? fs.statSync(DIST_INDEX).mtimeMs : 0;
  const sources = Math.max(newestMtime(path.join(ROOT, 'client')), newestMtime(path.join(ROOT, 'shared')), fs.statSync(path.join(ROOT, 'vite.config.ts')).mtimeMs);
  if (built >= sources) return;
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}

/** Browser-side record kept by the probe (see client/lib/probe.ts). */
export interface ProbeRecord {
  received: Array<{ seq: number; at: number }>;
  painted: Array<{ seq: number; at: number }>;
}

/**
 * Installs `window.__wallProbe` before the app loads: it keeps the map's click helper and, per event, when its batch
 * came off the socket and when the first frame after it was applied had been painted (two rAFs: the frame that
 * draws it, then the next frame begins once that one is on screen).
 */
export async function installProbe(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const record = { received: [] as Array<{ seq: number; at: number }>, painted: [] as Array<{ seq: number; at: number }> };
    const w = window as unknown as { __wallRecord: typeof record; __wallMap?: unknown; __wallProbe: unknown };
    w.__wallRecord = record;
    w.__wallProbe = {
      received(events: Array<{ seq: number }>, at: number) {
        for (const e of events) record.received.push({ seq: e.seq, at });
      },
      applied(events: Array<{ seq: number }>) {
        const seqs = events.map((e) => e.seq);
        requestAnimationFrame(() =>
          requestAnimationFrame((at) => {
            for (const seq of seqs) record.painted.push({ seq, at });
          }),
        );
      },
      mapReady(map: unknown) {
        w.__wallMap = map;
      },
    };
  });
}

/** Console errors and uncaught exceptions of a page, each tagged with what the test was doing. */
export function watchErrors(page: Page, phase: () => string): Array<{ phase: string; text: string }> {
  const errors: Array<{ phase: string; text: string }> = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push({ phase: phase(), text: message.text() });
  });
  page.on('pageerror', (error) => errors.push({ phase: phase(), text: `uncaught: ${error.message}` }));
  return errors;
}

/** Resolves once the map and every chart have painted real data (the `drawn:*` performance marks). */
export async function waitForWallDrawn(page: Page, timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    (names) => names.every((n) => performance.getEntriesByName(`drawn:${n}`).length > 0),
    ['map', 'category', 'source', 'hourly', 'daily', 'hotspots'],
    { timeout },
  );
}

/** Posts to intake as an integration would, with the test server's integration key (tests/helpers/auth.ts). */
export async function postEvents(baseUrl: string, events: unknown[]): Promise<IntakeResult[]> {
  const authorization = `Bearer ${await integrationKey({ url: baseUrl })}`;
  const res = await fetch(`${baseUrl}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ events }) });
  const body = (await res.json()) as { results?: IntakeResult[] };
  if (!res.ok || !body.results) throw new Error(`intake answered ${res.status}: ${JSON.stringify(body)}`);
  return body.results;
}

/** Pairs of wall panels whose boxes intersect, and panels reaching outside the viewport. */
export async function overlaps(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const boxes = [...document.querySelectorAll<HTMLElement>('[data-testid^="panel-"], [data-testid="district-map"], .counters .cell, header')].map((el) => ({
      name: el.dataset.testid ?? el.className,
      box: el.getBoundingClientRect(),
    }));
    const found: string[] = [];
    for (const { name, box } of boxes) if (box.left < -1 || box.top < -1 || box.right > innerWidth + 1 || box.bottom > innerHeight + 1) found.push(`${name} outside`);
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!.box;
        const b = boxes[j]!.box;
        if (Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1) found.push(`${boxes[i]!.name} × ${boxes[j]!.name}`);
      }
    return found;
  });
}
