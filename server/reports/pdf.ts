/**
 * PDF reports: the report page printed by one headless Chromium (Debian's, through playwright-core), launched on the
 * first PDF and kept for the next ones; at most two pages print at once, the rest wait their turn. Each page gets a
 * context of its own with JavaScript off and every request refused: the page is self-contained (html.ts), so
 * nothing it could reference is fetched. Without Chromium a PDF request fails with PdfUnavailableError, which the
 * route answers 503; the HTML report needs no browser.
 */
import fs from 'node:fs';
// playwright-core is loaded on the first PDF, not at start-up (it is the heaviest module the server has).
import type { Browser } from 'playwright-core';
import type { Logger } from '../log.js';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const MISSING_CHROMIUM = 'PDF needs Chromium (apt-get install chromium); the HTML report works without it';

/** "3 / 5" at the foot of each page, in the page's bottom margin (html.ts leaves 16 mm). */
const PAGE_FOOTER = `<div style="width:100%;font-size:8px;color:#7a8794;text-align:center;font-family:'Noto Sans CJK SC',sans-serif"><span class="pageNumber"></span> / <span class="totalPages"></span></div>`;

export class PdfUnavailableError extends Error {
  override name = 'PdfUnavailableError';
}

/** Too many PDFs waiting already: the caller answers 503 and the client retries later. */
export class PdfBusyError extends PdfUnavailableError {
  override name = 'PdfBusyError';
}

export interface PdfRendererOptions {
  /** The browser (the CHROMIUM_PATH setting); default /usr/bin/chromium. */
  executablePath?: string;
  /** Pages printing at once. */
  concurrency?: number;
  /** PDFs waiting for a turn beyond which a request is refused (PdfBusyError). */
  maxQueued?: number;
  /** One page's budget, from setContent to the last byte of the PDF. */
  timeoutMs?: number;
  log?: Logger;
}

export class PdfRenderer {
  readonly executablePath: string;
  readonly #concurrency: number;
  readonly #maxQueued: number;
  readonly #timeoutMs: number;
  readonly #log: Logger | undefined;
  #browser: Promise<Browser> | undefined;
  #active = 0;
  readonly #waiting: Array<() => void> = [];
  #closed = false;

  constructor(options: PdfRendererOptions = {}) {
    this.executablePath = options.executablePath ?? '/usr/bin/chromium';
    this.#concurrency = Math.max(1, options.concurrency ?? 2);
    this.#maxQueued = options.maxQueued ?? 20;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#log = options.log;
  }

  /** Whether a PDF can be attempted at all: the browser is on this machine. */
  /** PDFs waiting for a free page (/metrics). */
  get queued(): number {
    return this.#waiting.length;
  }

  get available(): boolean {
    return fs.existsSync(this.executablePath);
  }

  /** Prints `html` to an A4 PDF. Rejects with PdfUnavailableError without Chromium (or once closed). */
  async render(html: string): Promise<Buffer> {
    if (this.#closed) throw new PdfUnavailableError('the PDF renderer is shutting down');
    await this.#slot();
    try {
      if (this.#closed) throw new PdfUnavailableError('the PDF renderer is shutting down');
      const browser = await this.#launch();
      const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(this.#timeoutMs);
        // The report holds everything inline; anything else it might name is refused.
        await page.route('**/*', (route) => route.abort());
        await page.setContent(html, { waitUntil: 'load' });
        return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true, displayHeaderFooter: true, headerTemplate: '<span></span>', footerTemplate: PAGE_FOOTER, tagged: true, outline: true });
      } finally {
        await context.close().catch(() => undefined);
      }
    } finally {
      this.#release();
    }
  }

  #slot(): Promise<void> {
    if (this.#active < this.#concurrency) {
      this.#active += 1;
      return Promise.resolve();
    }
    if (this.#waiting.length >= this.#maxQueued) return Promise.reject(new PdfBusyError(`${this.#waiting.length} PDFs are waiting to print already; retry in a minute`));
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    // The slot passes straight to the next waiter.
    if (next) next();
    else this.#active -= 1;
  }

  #launch(): Promise<Browser> {
    if (!this.#browser) {
      const launching = this.#start();
      this.#browser = launching;
      // A failed launch is tried again by the next request (Chromium may be installed meanwhile).
      launching.catch(() => {
        if (this.#browser === launching) this.#browser = undefined;
      });
    }
    return this.#browser;
  }

  async #start(): Promise<Browser> {
    if (!this.available) throw new PdfUnavailableError(MISSING_CHROMIUM);
    const started = performance.now();
    let browser: Browser;
    try {
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath: this.executablePath, args: CHROMIUM_ARGS, timeout: this.#timeoutMs });
    } catch (error) {
      this.#log?.error({ err: error, executablePath: this.executablePath }, 'Chromium would not start for PDF reports');
      throw new PdfUnavailableError(`Chromium (${this.executablePath}) would not start; the HTML report works without it`, { cause: error });
    }
    this.#log?.info({ ms: Math.round(performance.now() - started), version: browser.version() }, 'Chromium started for PDF reports');
    browser.on('disconnected', () => {
      // Crashed or killed: the next PDF launches a new one.
      if (this.#browser && !this.#closed) this.#log?.warn('Chromium for PDF reports went away; the next PDF starts it again');
      this.#browser = undefined;
    });
    if (this.#closed) {
      await browser.close().catch(() => undefined);
      throw new PdfUnavailableError('the PDF renderer is shutting down');
    }
    return browser;
  }

  /** Closes the browser, if one was started; PDFs still printing fail. */
  async close(): Promise<void> {
    this.#closed = true;
    const launching = this.#browser;
    this.#browser = undefined;
    for (const waiter of this.#waiting.splice(0)) waiter();
    const browser = await launching?.catch(() => undefined);
    await browser?.close().catch(() => undefined);
  }
}
