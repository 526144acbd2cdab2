/**
 * The masking detector (shared/masking.ts): how long masking takes on ordinary case text, and that hostile input
 * grows linearly (time for n and 2n characters). The baseline, measured in the same run, is the two-pattern maskText
 * it replaced (ASCII mobiles and 18-digit IDs only).
 *
 *   npx tsx bench/masking.ts
 */
import fc from 'fast-check';
import { maskText } from '../shared/masking.js';
import { anyPlanted, sentence } from '../tests/helpers/pii.js';

const OLD_PHONE = /(?<![\d+])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)/g;
const OLD_ID = /(?<!\d)\d{17}[\dXx](?![\dXx])/g;
const oldMask = (t: string) => t.replace(OLD_ID, '*').replace(OLD_PHONE, '*');

function time(label: string, texts: readonly string[], mask: (t: string) => string): number {
  for (const t of texts.slice(0, 200)) mask(t);
  const start = performance.now();
  for (const t of texts) mask(t);
  return performance.now() - start;
}

const titles = fc.sample(sentence(anyPlanted, 4), { seed: 1, numRuns: 20_000 }).map((s) => s.text);
const chars = titles.reduce((n, t) => n + t.length, 0);
const now = time('new', titles, maskText);
const before = time('old', titles, oldMask);
console.log(`ordinary text: ${titles.length} texts, ${chars} chars — detector ${now.toFixed(0)} ms (${((now / titles.length) * 1000).toFixed(1)} µs a text), baseline ${before.toFixed(0)} ms`);

const hostile: Record<string, (n: number) => string> = {
  digits: (n) => '1'.repeat(n),
  'digit groups': (n) => '1 '.repeat(n / 2),
  'e-mail local part': (n) => 'a'.repeat(n) + '@',
  'house numbers': (n) => '路' + '1号'.repeat(n / 2),
  'full-width': (n) => '１－'.repeat(n / 2),
  'the issue title': (n) => '欧阳娜娜 6222 0212 3456 7890 粤B12345 wxid_abc123xyz789 '.repeat(n / 50),
};
for (const [label, make] of Object.entries(hostile)) {
  const [a, b] = [50_000, 100_000].map((n) => time(label, [make(n)], maskText));
  console.log(`${label.padEnd(18)} 50k chars ${a!.toFixed(0).padStart(5)} ms, 100k ${b!.toFixed(0).padStart(5)} ms (×${(b! / a!).toFixed(2)}; linear ≈ 2)`);
}
