/**
 * Personal data in Chromium against the real server (docs/architecture.md §4, §8). Intake holds parties with names, phone and ID
 * numbers of many shapes (tests/helpers/parties.ts), also typed into titles, descriptions, an alert's title and the
 * notes of a whistle. The wall — signed in through its kiosk link — never has any of it: not in its text, not in any
 * attribute, not in a socket frame, not in an API answer. The duty desk shows a case masked (已脱敏) until the officer
 * gives a reason for 查看完整信息, which the audit log records; masking returns when the case is closed or the page
 * reloaded. A department sees its case masked with no way to unmask. A generated corpus (tests/helpers/pii.ts: every
 * class of personal data in every spelling, names in an outside system's alert title) is scanned for in the wall's
 * DOM text, every attribute, every socket frame and every API answer too.
 */
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MapProbe } from '../../client/lib/probe.js';
import type { RunningServer } from '../../server/boot.js';
import { asAdmin, asDept, DUTY } from '../helpers/auth.js';
import { alertRaised, BANTIAN, caseReported, GANGTOU } from '../helpers/factories.js';
import { FIXTURE_NAMES, FIXTURE_PARTIES, FIXTURE_SECRETS, privateCases } from '../helpers/parties.js';
import { startServer } from '../helpers/server.js';
import { anyPlanted, leaks, name as nameArb, sentence, type Planted } from '../helpers/pii.js';
import { kioskCode, recordSocketFrames, signInContext } from './auth-harness.js';
import { command } from './console-harness.js';
import { ARTIFACTS, CHROMIUM, chromiumAvailable, ensureClientBuilt, installProbe, launchChromium, postEvents, waitForWallDrawn, watchErrors } from './harness.js';

const available = chromiumAvailable();
if (!available) console.warn(`[privacy browser tests] SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

const VIEWPORT = { width: 1920, height: 1080 };
/**
 * A mainland mobile number and an ID number, as whole numbers: not inside a longer run of digits (a millisecond
 * timestamp holds eleven digits starting 1[3-9]), nor the decimals of a float.
 */
const PHONE = /(?<![\d.])1[3-9]\d{9}(?!\d)/;
const ID_NUMBER = /(?<![\d.])\d{17}[\dXx](?![\dXx\d])/;
const REASON = '回访当事人，核对联系电话';
const SEED = Number(process.env.PII_SEED ?? Date.now() % 1_000_000);

/** Generated personal data: planted in cases and outside alerts, none of it may reach the wall. */
const corpus: Planted[] = [];
function plantedText(offset: number, names: Planted[] = []): string {
  const [s] = fc.sample(sentence(anyPlanted, 3), { seed: SEED + offset, numRuns: 1 });
  corpus.push(...s!.planted, ...names);
  return (names.map((n) => `${n.text}、`).join('') + s!.text).slice(0, 200);
}
function corpusCases(offset: number) {
  return [0, 1].map((i) => {
    const names = fc.sample(nameArb, { seed: SEED + offset + i, numRuns: 2 }).filter((n) => n.text.length >= 3);
    return caseReported({
      communityCode: GANGTOU,
      title: plantedText(offset + 10 + i, names),
      description: plantedText(offset + 20 + i, names),
      location: { lat: 22.6531274, lng: 114.0612389 },
      parties: names.map((n) => ({ role: 'applicant' as const, name: n.text })),
    });
  });
}
function corpusAlert(offset: number) {
  const names = fc.sample(nameArb, { seed: SEED + offset, numRuns: 2 }).filter((n) => n.text.length >= 3);
  return alertRaised({ source: 'hotline', level: 'orange', title: plantedText(offset + 1, names), description: plantedText(offset + 2), streetCode: BANTIAN, communityCode: GANGTOU });
}

/** Each text, frame or answer scanned on its own (so digits of different numbers never join into a planted one). */
function corpusLeaks(where: string, texts: readonly string[]): string[] {
  return texts.flatMap((t) => leaks(t, corpus).map((p) => `${where}: ${p.kind} ${p.text} in ${t.slice(0, 200)}`));
}

/** The strings of a JSON text (a socket.io frame's payload after its packet type, an API answer), else the text. */
function jsonStrings(raw: string): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(k), walk(x);
  };
  try {
    walk(JSON.parse(raw.replace(/^\d+(?:\/[^,]*,)?\d*/, '')));
    return out.filter((x) => !/^\d{4}-\d{2}-\d{2}T/.test(x) && !/^[\da-f]{8}-[\da-f]{4}-/.test(x));
  } catch {
    return [raw];
  }
}

/** What in `text` would be personal data of the fixtures: a phone or ID number, a party's name or any raw secret. */
function personalData(text: string): string[] {
  const found: string[] = [];
  const phone = PHONE.exec(text);
  if (phone) found.push(`phone ${phone[0]} …${text.slice(Math.max(0, phone.index - 40), phone.index + 20)}…`);
  const id = ID_NUMBER.exec(text);
  if (id) found.push(`ID ${id[0]} …${text.slice(Math.max(0, id.index - 40), id.index + 20)}…`);
  for (const secret of [...FIXTURE_NAMES, ...FIXTURE_SECRETS]) if (text.includes(secret)) found.push(secret);
  return found;
}

describe.skipIf(!available)('personal data in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let phase = 'load';
  const errors: Array<Array<{ phase: string; text: string }>> = [];
  /** Case ids of the first batch: [张三丰 and 欧阳娜娜, 李雷 and 司马光明, 韩梅梅 and 王小二]. */
  let cases: string[];

  const newPage = async (who: Parameters<typeof signInContext>[2] | null): Promise<Page> => {
    const context = await browser.newContext({ viewport: VIEWPORT });
    if (who) await signInContext(context, server, who);
    const page = await context.newPage();
    errors.push(watchErrors(page, () => phase));
    return page;
  };

  beforeAll(async () => {
    ensureClientBuilt();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ LOG_LEVEL: 'warn' });
    const results = await postEvents(server.url, privateCases());
    cases = results.map((r) => r.caseId!);
    const [a, b] = FIXTURE_PARTIES;
    await postEvents(server.url, [alertRaised({ level: 'orange', title: `网格员来电${a!.phone}：工业园聚集讨薪，为首者身份证${a!.idNumber}`, streetCode: BANTIAN, communityCode: GANGTOU })]);
    await postEvents(server.url, [...corpusCases(100), corpusAlert(200)]);
    // The dispatch steps carry notes with personal data too; the wall gets the steps, never the notes.
    const first = cases[0]!;
    await command(server.url, first, { role: 'duty' }, { type: 'triage', tier: 'community', channel: 'people', note: `已电话联系${a!.name}（${a!.phone}）` });
    await command(server.url, first, { role: 'duty' }, { type: 'whistle', urgency: 'urgent', lead: 'labour', assists: [], note: `被申请人${b!.name}，电话${b!.phone}` });
    await command(server.url, first, { role: 'dept', deptId: 'labour' }, { type: 'reportIn' });
    await command(server.url, first, { role: 'dept', deptId: 'labour' }, { type: 'progress', note: `约谈${b!.name}，身份证${b!.idNumber}` });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the wall holds no name, phone or ID number: not in its text, attributes, socket frames or API answers', async () => {
    phase = 'wall';
    const page = await newPage(null);
    const frames = recordSocketFrames(page);
    const answers: Array<Promise<{ url: string; body: string }>> = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith('/api/')) answers.push(response.text().then((body) => ({ url: response.url(), body }), () => ({ url: response.url(), body: '' })));
    });
    await installProbe(page);
    await page.goto(`${server.url}/#/wall?kiosk=${await kioskCode(server, '隐私测试大屏')}`);
    await waitForWallDrawn(page);

    // Live, while the wall watches: more cases with personal data, and a whistle with a note.
    const live = await postEvents(server.url, [...privateCases({ communityCode: GANGTOU }), ...corpusCases(300), corpusAlert(400)]);
    const whistled = await command(server.url, live[0]!.caseId!, { role: 'duty' }, { type: 'triage', tier: 'street', channel: 'administrative', note: `回拨${FIXTURE_PARTIES[4]!.phone}` });
    await expect.poll(async () => Number(await page.getByTestId('wall').getAttribute('data-seq')), { timeout: 10_000 }).toBeGreaterThanOrEqual(whistled.event.seq);

    // Into the community, whose panel reads the case list and the heat explanation over HTTP.
    const clickArea = async (code: string) => {
      const at = await page.evaluate((c) => (window as unknown as { __wallMap: MapProbe }).__wallMap.pointOf(c), code);
      await page.mouse.click(at!.x, at!.y);
    };
    await clickArea(BANTIAN);
    await expect.poll(() => page.getByTestId('district-map').getAttribute('data-focus')).toBe(BANTIAN);
    await page.waitForTimeout(1500); // the fly-to settles before the click
    await clickArea(GANGTOU);
    const panel = page.getByTestId('community-panel');
    await expect.poll(() => panel.locator('[data-testid="panel-cases"] li').count(), { timeout: 5000 }).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'privacy-wall-1920x1080.png') });

    const html = await page.evaluate(() => document.documentElement.outerHTML);
    const text = await page.evaluate(() => document.body.innerText);
    const api = await Promise.all(answers);
    // The checks looked at something: the stream with the live cases, and the panel's answers.
    expect(frames.some((f) => f.includes(`"seq":${live[0]!.seq}`))).toBe(true);
    expect(api.map((a) => new URL(a.url).pathname)).toEqual(expect.arrayContaining(['/api/geo', '/api/cases', `/api/areas/${GANGTOU}/heat`]));
    expect(text).toContain('岗头');

    const found = {
      text: personalData(text),
      html: personalData(html),
      frames: frames.flatMap((f) => personalData(f)),
      api: api.flatMap((a) => personalData(a.body).map((p) => `${new URL(a.url).pathname}: ${p}`)),
    };
    expect(found).toEqual({ text: [], html: [], frames: [], api: [] });

    // The generated corpus: in no text node, no attribute (map geometry aside), no frame and no answer.
    const nodes = await page.evaluate(() => {
      const out: string[] = [];
      const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
      for (let n: Node | null = walker.currentNode; n; n = walker.nextNode()) {
        if (n.nodeType === Node.TEXT_NODE) out.push(n.nodeValue ?? '');
        else for (const attr of Array.from((n as Element).attributes)) if (!['d', 'points', 'viewBox', 'transform', 'style'].includes(attr.name)) out.push(attr.value);
      }
      return out;
    });
    expect(corpus.length).toBeGreaterThan(15);
    expect(nodes.length).toBeGreaterThan(100);
    expect(frames.length).toBeGreaterThan(0);
    const generated = [
      ...corpusLeaks('text', [text]),
      ...corpusLeaks('dom', nodes),
      ...frames.flatMap((f) => corpusLeaks('frame', jsonStrings(f))),
      ...api.flatMap((a) => corpusLeaks(new URL(a.url).pathname, jsonStrings(a.body))),
    ];
    expect(generated.slice(0, 20).join('\n')).toBe('');
    // The outside alerts are on the wall, by their label; no case's own point is anywhere.
    expect(text).toContain('外部预警 · 12345热线报送');
    expect([html, ...frames, ...api.map((a) => a.body)].some((t) => t.includes('22.6531274') || t.includes('114.0612389'))).toBe(false);
  });

  it('the duty desk shows a case masked, and in full after a reason for 查看完整信息, which is audited', async () => {
    phase = 'unmask';
    const page = await newPage(DUTY);
    await page.goto(`${server.url}/#/duty`);
    const [zhang, ouyang] = FIXTURE_PARTIES;
    const id = cases[0]!;
    const detail = page.getByTestId('case-detail');
    const select = async (caseId: string) => {
      await page.locator(`[data-testid="rollcall-board"] [data-case-id="${caseId}"] .title, [data-testid="queue-row"][data-case-id="${caseId}"]`).first().click();
      await expect.poll(() => detail.getAttribute('data-case-id')).toBe(caseId);
    };
    await select(id);
    await expect.poll(() => detail.getAttribute('data-masked')).toBe('true');
    const parties = detail.getByTestId('case-parties');
    expect(await parties.textContent()).toContain('张*丰');
    expect(await parties.textContent()).toContain('138****1234');
    expect(await parties.textContent()).toContain('440307********1234');
    expect(await parties.textContent()).toContain('欧**娜');
    expect(personalData(await parties.innerText())).toEqual([]);
    // Phone and ID numbers typed into the title, description and notes are masked too (names in free text are not
    // recognisable, so the title keeps the name as the operator typed it).
    const shown = await detail.innerText();
    expect(PHONE.exec(shown)).toBeNull();
    expect(ID_NUMBER.exec(shown)).toBeNull();
    expect(await detail.getByTestId('mask-notice').textContent()).toContain('已脱敏');
    await page.screenshot({ path: path.join(ARTIFACTS, 'case-detail-masked.png') });

    // A reason is needed: too short is refused before anything is sent.
    await detail.getByTestId('unmask-open').click();
    await detail.getByTestId('unmask-reason').fill('看看');
    await detail.getByTestId('unmask-submit').click();
    expect(await detail.getByTestId('unmask-reason-error').textContent()).toContain('至少 4 个字');
    expect(await detail.getAttribute('data-masked')).toBe('true');
    await detail.getByTestId('unmask-reason').fill(REASON);
    await detail.getByTestId('unmask-submit').click();
    await expect.poll(() => detail.getAttribute('data-masked')).toBe('false');
    const full = await parties.textContent();
    for (const value of [zhang!.name, zhang!.phone!, zhang!.idNumber!, ouyang!.name, ouyang!.phone!, ouyang!.idNumber!]) expect(full).toContain(value);
    expect(await detail.getByTestId('mask-notice').textContent()).toContain('本次查看已记入审计日志');
    await page.screenshot({ path: path.join(ARTIFACTS, 'case-detail-unmasked.png') });

    const audit = await asAdmin(server, 'GET', '/api/admin/audit?action=case.unmasked');
    expect(audit.body.items[0]).toMatchObject({ action: 'case.unmasked', target: id, outcome: 'ok', actor: { role: 'duty' }, details: { reason: REASON } });

    // Another case, then back: masked again.
    await select(cases[2]!);
    await expect.poll(() => detail.getAttribute('data-masked')).toBe('true');
    await select(id);
    await expect.poll(() => detail.getAttribute('data-masked')).toBe('true');
    expect(personalData(await parties.innerText())).toEqual([]);

    // Unmasked, then the page reloaded: masked again.
    await detail.getByTestId('unmask-open').click();
    await detail.getByTestId('unmask-reason').fill(REASON);
    await detail.getByTestId('unmask-submit').click();
    await expect.poll(() => detail.getAttribute('data-masked')).toBe('false');
    await page.reload();
    await select(id);
    await expect.poll(() => detail.getAttribute('data-masked')).toBe('true');
    expect(personalData(await parties.innerText())).toEqual([]);
  });

  it('a department sees its case masked, with no way to unmask it', async () => {
    phase = 'dept';
    const page = await newPage(asDept('labour'));
    await page.goto(`${server.url}/#/dept`);
    const part = page.locator('[data-testid="dept-part"]').first();
    await part.locator('.info').click();
    const detail = page.getByTestId('case-detail');
    await expect.poll(() => detail.getAttribute('data-masked')).toBe('true');
    expect(await detail.getByTestId('mask-notice').textContent()).toContain('已脱敏');
    expect(await detail.getByTestId('unmask-open').count()).toBe(0);
    expect(personalData(await detail.getByTestId('case-parties').innerText())).toEqual([]);
  });

  it('logged no console errors', () => {
    expect(errors.flat()).toEqual([]);
  });
});
