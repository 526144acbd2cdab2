/** The text of a PDF, page by page, through pdfjs-dist (no worker, no fonts fetched). */
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/**
 * Chromium writes a CJK font's ToUnicode map from the font's cmap, where a glyph shared by a radical and an
 * ideograph maps back to the radical (矛 comes out as ⽭ U+2F6D, 龙 as ⻰ U+2EF0). NFKC folds the Kangxi radicals
 * back; the supplement's simplified forms have no decomposition, so the few a report uses are mapped here.
 */
const RADICALS: Record<string, string> = { '⻰': '龙', '⻓': '长', '⻔': '门', '⻛': '风', '⻩': '黄', '⻢': '马', '⻜': '飞', '⻚': '页', '⻄': '西', '⻅': '见', '⻋': '车', '⻥': '鱼', '⻬': '齐', '⻮': '齿', '⻝': '食', '⻉': '贝', '⻆': '角', '⻁': '虎', '⻘': '青', '⻨': '麦', '⻦': '鸟' };

export function readableText(text: string): string {
  return text.normalize('NFKC').replace(/[\u2e80-\u2eff]/g, (c) => RADICALS[c] ?? c);
}

export async function pdfText(bytes: Uint8Array): Promise<{ pages: number; text: string }> {
  const doc = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false, disableFontFace: true, verbosity: 0 }).promise;
  try {
    const parts: string[] = [];
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      const content = await page.getTextContent();
      parts.push(content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : '')).join(''));
    }
    return { pages: doc.numPages, text: readableText(parts.join('\n')) };
  } finally {
    await doc.destroy();
  }
}
