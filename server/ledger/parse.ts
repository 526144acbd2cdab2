/**
 * Reading an uploaded ledger into a table of text cells: .xlsx through ExcelJS (its JSZip-based reader: the streaming
 * reader of 4.4 garbles characters cut by a chunk boundary and, now and then, reads a sheet before the workbook part a
 * date cell needs, failing a good file), .csv through csv-parse fed in chunks. Both yield to the event loop as they go and report progress. The first non-empty row of
 * a sheet is its header row; data rows keep the row number the spreadsheet shows (the header is row 1).
 *
 * CSV from Excel in China is often GBK: the bytes are read as UTF-8 when they are valid UTF-8 (with or without a
 * BOM), as UTF-16 after a UTF-16 BOM (Excel's "Unicode text"), else as GB18030 (a superset of GBK).
 *
 * Rows are kept compactly, each as one string of its cells joined by a unit separator, so 100,000 rows of 27
 * columns hold a few tens of MB rather than millions of small strings.
 */
import { Readable } from 'node:stream';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { parse as csvParser } from 'csv-parse';
// Loaded on the first .xlsx, not at start-up (it is one of the heaviest modules the server has).
import type ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { requiredLedgerFields } from '../../shared/ledger.js';
import { suggestMapping } from './columns.js';

/** More rows or columns than this is not a ledger this importer takes in one go. */
export const MAX_ROWS = 500_000;
export const MAX_COLUMNS = 200;
const SEP = '\u001f';
const YIELD_EVERY = 2_000;

export class LedgerFileError extends Error {
  override name = 'LedgerFileError';
}

export interface SheetRange {
  name: string;
  /** Index of the sheet's first data row in `rows`. */
  start: number;
}

export interface RowTable {
  headers: string[];
  /** Each data row's cells joined by SEP; use `cellsOf`. */
  rows: string[];
  /** The spreadsheet's row number of each data row. */
  rowNumbers: number[];
  /** The sheets read (xlsx), in order; one unnamed sheet for a CSV. */
  sheets: SheetRange[];
}

export function cellsOf(table: RowTable, index: number): string[] {
  return table.rows[index]!.split(SEP);
}

/** The sheet a row index belongs to (sheets are few). */
export function sheetOf(table: RowTable, index: number): string | undefined {
  let name: string | undefined;
  for (const s of table.sheets) if (s.start <= index) name = s.name;
  return name;
}

export type Progress = (done: number, total: number) => void;

export function detectFormat(body: Buffer): 'xlsx' | 'csv' {
  return body.length >= 4 && body[0] === 0x50 && body[1] === 0x4b && body[2] === 0x03 && body[3] === 0x04 ? 'xlsx' : 'csv';
}

const clean = (s: string) => s.replaceAll(SEP, ' ').trim();

/** Unique, non-empty header names: a blank header is named by its column letter, a repeated one gets (2), (3)…. */
function headerNames(cells: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return cells.map((raw, i) => {
    let name = clean(raw) || `列${columnLetter(i)}`;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    if (n > 1) name = `${name} (${n})`;
    return name;
  });
}

export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** Trailing empty cells are dropped; the table pads on read. */
function pack(cells: readonly string[]): string | undefined {
  let end = cells.length;
  while (end > 0 && cells[end - 1] === '') end--;
  if (end === 0) return undefined;
  return cells.slice(0, end).join(SEP);
}

// ---------------------------------------------------------------- CSV

export function decodeText(body: Buffer): string {
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return body.subarray(3).toString('utf8');
  if (body.length >= 2 && body[0] === 0xff && body[1] === 0xfe) return body.subarray(2).toString('utf16le');
  if (body.length >= 2 && body[0] === 0xfe && body[1] === 0xff) return iconv.decode(body.subarray(2), 'utf16be');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return iconv.decode(body, 'gb18030');
  }
}

/** The delimiter the header line uses most: comma, tab (Excel's "Unicode text") or semicolon. */
function delimiterOf(text: string): string {
  const line = text.slice(0, Math.max(0, text.indexOf('\n')) || text.length);
  const counts = [',', '\t', ';'].map((d) => [d, line.split(d).length - 1] as const);
  return counts.reduce((best, c) => (c[1] > best[1] ? c : best))[0];
}

export async function parseCsv(body: Buffer, onProgress: Progress): Promise<RowTable> {
  if (body.subarray(0, 4096).includes(0) && !(body[0] === 0xff && body[1] === 0xfe) && !(body[0] === 0xfe && body[1] === 0xff)) {
    throw new LedgerFileError('the file is neither an .xlsx workbook nor a CSV text file');
  }
  const text = decodeText(body).replace(/^\uFEFF/, '');
  // An estimate for the progress bar: quoted cells may hold line breaks.
  let estimate = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) estimate++;
  const parser = csvParser({ delimiter: delimiterOf(text), relax_column_count: true, relax_quotes: true, skip_empty_lines: false, bom: true });
  const CHUNK = 1 << 20;
  const chunks = function* () {
    for (let i = 0; i < text.length; i += CHUNK) yield text.slice(i, i + CHUNK);
  };
  const table: RowTable = { headers: [], rows: [], rowNumbers: [], sheets: [{ name: '', start: 0 }] };
  let rowNumber = 0;
  let haveHeader = false;
  try {
    for await (const record of Readable.from(chunks()).pipe(parser) as AsyncIterable<string[]>) {
      rowNumber++;
      if (!haveHeader) {
        if (record.every((c) => c.trim() === '')) continue;
        if (record.length > MAX_COLUMNS) throw new LedgerFileError(`the header row has ${record.length} columns; at most ${MAX_COLUMNS} are read`);
        table.headers = headerNames(record);
        haveHeader = true;
        continue;
      }
      const packed = pack(record.slice(0, table.headers.length).map(clean));
      if (packed === undefined) continue;
      if (table.rows.length >= MAX_ROWS) throw new LedgerFileError(`the file has more than ${MAX_ROWS} rows; split it`);
      table.rows.push(packed);
      table.rowNumbers.push(rowNumber);
      if (table.rows.length % YIELD_EVERY === 0) {
        onProgress(table.rows.length, Math.max(estimate - 1, table.rows.length));
        await yieldToLoop();
      }
    }
  } catch (error) {
    if (error instanceof LedgerFileError) throw error;
    throw new LedgerFileError(`the CSV could not be read: ${(error as { code?: string }).code ?? 'malformed'} near row ${rowNumber + 1}`);
  }
  if (!haveHeader) throw new LedgerFileError('the file is empty');
  return table;
}

// ---------------------------------------------------------------- XLSX

/** A cell as text. ExcelJS reads a date cell as the Date whose UTC fields are the wall-clock time the sheet shows. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return '';
    const iso = value.toISOString();
    const ms = iso.slice(20, 23);
    return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms === '000' ? '' : `.${ms}`}`;
  }
  if (typeof value === 'object') {
    const v = value as { richText?: Array<{ text: string }>; text?: unknown; result?: unknown; formula?: unknown; sharedFormula?: unknown; error?: unknown };
    if (Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
    if ('formula' in v || 'sharedFormula' in v) return cellText(v.result);
    if ('text' in v) return cellText(v.text);
    if ('error' in v) return '';
  }
  return '';
}

/** A sheet looks like a ledger when its headers name at least half the required fields. */
function looksLikeLedger(headers: readonly string[]): boolean {
  const mapped = suggestMapping(headers);
  return requiredLedgerFields.filter((f) => mapped[f] !== undefined).length >= requiredLedgerFields.length / 2;
}

/**
 * Reads the data sheets of a workbook: the first sheet that looks like a ledger (else the first sheet with rows) sets
 * the header row, and every later sheet with the same header row is read too (an exported ledger: one sheet per
 * month). Other sheets (a totals sheet, notes) are skipped.
 */
export async function parseXlsx(body: Buffer, onProgress: Progress): Promise<RowTable> {
  const { default: Excel } = await import('exceljs');
  const workbook: ExcelJS.Workbook = new Excel.Workbook();
  try {
    await workbook.xlsx.load(body as unknown as ArrayBuffer, { ignoreNodes: ['dataValidations', 'conditionalFormatting', 'hyperlinks', 'drawing', 'picture', 'tableParts', 'extLst'] } as Parameters<typeof workbook.xlsx.load>[1]);
  } catch {
    throw new LedgerFileError('the file is not a readable .xlsx workbook');
  }
  const total = workbook.worksheets.reduce((n, sheet) => n + sheet.rowCount, 0);
  if (total > MAX_ROWS + workbook.worksheets.length) throw new LedgerFileError(`the workbook has more than ${MAX_ROWS} rows; split it`);
  let table: RowTable | undefined;
  /** The first sheet with rows, kept until a sheet that looks like a ledger turns up. */
  let fallback: RowTable | undefined;
  let headerKey = '';
  let done = 0;
  for (const sheet of workbook.worksheets) {
    let target: RowTable | undefined;
    for (let r = 1; r <= sheet.rowCount; r++) {
      if (++done % YIELD_EVERY === 0) {
        onProgress(done, total);
        await yieldToLoop();
      }
      const row = sheet.findRow(r);
      if (!row) continue;
      const values = (row.values as unknown[]) ?? [];
      const cells: string[] = [];
      for (let c = 1; c < values.length; c++) cells.push(clean(cellText(values[c])));
      if (!target) {
        if (cells.every((c) => c === '')) continue;
        if (cells.length > MAX_COLUMNS) throw new LedgerFileError(`sheet ${sheet.name}: the header row has ${cells.length} columns; at most ${MAX_COLUMNS} are read`);
        const headers = headerNames(cells);
        const key = headers.join(SEP);
        if (table) {
          if (key !== headerKey) break;
          target = table;
        } else if (looksLikeLedger(headers)) {
          table = target = { headers, rows: [], rowNumbers: [], sheets: [] };
          headerKey = key;
          fallback = undefined;
        } else if (!fallback) {
          fallback = target = { headers, rows: [], rowNumbers: [], sheets: [] };
        } else break;
        target.sheets.push({ name: sheet.name, start: target.rows.length });
        continue;
      }
      const packed = pack(cells.slice(0, target.headers.length));
      if (packed === undefined) continue;
      target.rows.push(packed);
      target.rowNumbers.push(r);
    }
  }
  const result = table ?? fallback;
  if (!result) throw new LedgerFileError('the workbook is empty');
  return result;
}
