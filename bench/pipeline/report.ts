/** The final table (console and Markdown) and the Pipeline section of docs/performance.md. */
import fs from 'node:fs';
import path from 'node:path';

export interface Row {
  metric: string;
  ours: string;
  bare: string;
  ratio: string;
  target: string;
  /** true / false when the row has a target, undefined when it is informative only. */
  met?: boolean;
}

const header = ['metric', 'ours', 'bare', 'ratio', 'target', 'met'];
const cells = (r: Row) => [r.metric, r.ours, r.bare, r.ratio, r.target, r.met === undefined ? '' : r.met ? 'yes' : 'NO'];

/** Width in terminal columns: CJK and full-width characters take two. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}

export function consoleTable(rows: string[][], head: string[] = header): string {
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => width(r[i] ?? ''))));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c + ' '.repeat(widths[i]! - width(c)) : ' '.repeat(widths[i]! - width(c)) + c)).join('  ');
  return [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function markdownTable(rows: string[][], head: string[] = header): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

export const rowCells = (rows: Row[]) => rows.map(cells);

const START = '<!-- pipeline:start -->';
const END = '<!-- pipeline:end -->';

/** Replaces the Pipeline section between its markers (or appends it); other sections are left as they are. */
export function writePipelineSection(file: string, body: string): void {
  const section = `${START}\n${body.trim()}\n${END}`;
  let text = fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8')
    : [
        '# Performance',
        '',
        'Figures from the benchmarks, each measured against a baseline in the same run (targets: docs/architecture.md §8).',
        'Each section is rewritten by its benchmark between its markers; edit outside the markers only.',
        '',
        START,
        END,
        '',
        '## Wall',
        '',
        '<!-- wall:start -->',
        '_Not measured yet (`npm run bench:wall`)._',
        '<!-- wall:end -->',
        '',
      ].join('\n');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from >= 0 && to > from) text = text.slice(0, from) + section + text.slice(to + END.length);
  else text = `${text.trimEnd()}\n\n${section}\n`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}
