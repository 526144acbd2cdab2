/**
 * The PDF printer: without Chromium a PDF is a 503 that says how to get one while the HTML report still works; with
 * it, one browser prints concurrent requests and is closed on shutdown.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportsRouter } from '../../../server/api/reports.js';
import { errorHandler } from '../../../server/api/errors.js';
import type { Auditor } from '../../../server/auth/auditor.js';
import { loadDistrictData } from '../../../server/district-data.js';
import { createLogger } from '../../../server/log.js';
import { renderReportHtml } from '../../../server/reports/html.js';
import { MISSING_CHROMIUM, PdfBusyError, PdfRenderer, PdfUnavailableError } from '../../../server/reports/pdf.js';
import { onCi } from '../../helpers/pg-env.js';
import { reportFixture } from './fixture.js';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { pdfText, readableText } from './pdf-text.js';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const noChromium = !fs.existsSync(chromium) && !onCi;

describe('PDF without Chromium', () => {
  const pdf = new PdfRenderer({ executablePath: '/nonexistent/chromium' });
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    const app = express();
    const projections = { cases: { records: () => [] }, risk: null, seq: 0, settings: { tzOffsetMinutes: 480 } };
    const auditor = { note: () => undefined } as unknown as Auditor;
    app.use(reportsRouter({ projections, district: loadDistrictData('longgang'), clock: () => Date.parse('2026-12-02T02:00:00Z'), auditor, pdf }));
    app.use(errorHandler(createLogger('silent')));
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await pdf.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('rejects with a typed error that says what to install', async () => {
    expect(pdf.available).toBe(false);
    await expect(pdf.render('<p>x</p>')).rejects.toThrow(PdfUnavailableError);
    await expect(pdf.render('<p>x</p>')).rejects.toThrow(MISSING_CHROMIUM);
  });

  it('answers 503 with that message, while JSON and HTML still work', async () => {
    const res = await fetch(`${url}/api/reports?format=pdf`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: { code: 'pdf_unavailable', message: 'PDF needs Chromium (apt-get install chromium); the HTML report works without it' } });
    const html = await fetch(`${url}/api/reports?format=html`);
    expect(html.status).toBe(200);
    expect(await html.text()).toContain('龙岗区矛盾纠纷 日报 2026年12月2日');
    expect((await fetch(`${url}/api/reports`)).status).toBe(200);
  });
});

describe.skipIf(noChromium)('PDF with Chromium', () => {
  const pdf = new PdfRenderer({ executablePath: chromium, concurrency: 2 });
  afterAll(() => pdf.close());

  it('prints concurrent requests with one browser, two at a time, and refuses after close', async () => {
    const html = renderReportHtml(reportFixture(), 'zh');
    const started = performance.now();
    const pdfs = await Promise.all([1, 2, 3].map(() => pdf.render(html)));
    const ms = performance.now() - started;
    for (const bytes of pdfs) expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const { text } = await pdfText(new Uint8Array(pdfs[2]!));
    const flat = text.replace(/\s+/g, '');
    for (const figure of ['龙岗区矛盾纠纷日报2026年12月2日', '64.9%', '80.6%', '84.6%', '90.3%', '劳资纠纷', '截至事件#4321']) expect(flat, figure).toContain(figure);
    // The markup in a community's name is printed as text, not run.
    expect(flat).toContain('<script>alert(1)</script>社区');
    console.info(`[reports] 3 concurrent PDFs of the fixture in ${Math.round(ms)} ms (Chromium starting included)`);
    await pdf.close();
    await expect(pdf.render(html)).rejects.toThrow(PdfUnavailableError);
  });

  it('prints a tagged PDF with an outline of the report\'s headings, as pdfinfo and a reader see it', async () => {
    const html = renderReportHtml(reportFixture(), 'zh');
    const own = new PdfRenderer({ executablePath: chromium, concurrency: 1 });
    const bytes = await own.render(html).finally(() => own.close());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdf-tagged-'));
    try {
      const file = path.join(dir, 'report.pdf');
      fs.writeFileSync(file, bytes);
      const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
      expect(info).toMatch(/^Tagged:\s+yes$/m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const doc = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false, disableFontFace: true, verbosity: 0 }).promise;
    try {
      const outline = (await doc.getOutline()) ?? [];
      const titles = (items: typeof outline): string[] => items.flatMap((i) => [readableText(i.title), ...titles(i.items ?? [])]);
      const all = titles(outline);
      // The outline names the report's own headings (h1 and the section headings), in the order they print.
      const headings = [...html.matchAll(/<h([1-3])[^>]*>([^<]+)</g)].map((m) => m[2]!.replace(/&[a-z]+;/g, '').trim()).filter(Boolean);
      expect(headings.length).toBeGreaterThan(1);
      expect(all.length).toBeGreaterThan(1);
      for (const h of headings) expect(all.map((t) => t.replace(/\s+/g, '')), h).toContain(readableText(h).replace(/\s+/g, ''));
    } finally {
      await doc.destroy();
    }
  });

  it('refuses a PDF beyond the queue rather than queueing without end', async () => {
    const small = new PdfRenderer({ executablePath: chromium, concurrency: 1, maxQueued: 1 });
    try {
      const html = '<!DOCTYPE html><p>queued</p>';
      const results = await Promise.allSettled([small.render(html), small.render(html), small.render(html)]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
      expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(PdfBusyError);
    } finally {
      await small.close();
    }
  });
});
