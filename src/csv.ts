/**
 * CSV that opens correctly in Excel and LibreOffice: UTF-8 with a byte-order mark, CRLF line ends, RFC 4180 quoting
 * (a field holding a comma, a double quote, CR or LF is quoted and its quotes doubled), and formula-injection
 * neutralisation: a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so a
 * spreadsheet shows it as text instead of evaluating it. Numbers and booleans are written as they are.
 */

export const CSV_BOM = '\uFEFF';
export const CSV_EOL = '\r\n';
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8; header=present';

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export type CsvValue = string | number | boolean | null | undefined;

/** Neutralises a text cell that a spreadsheet would read as a formula. */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = neutraliseFormula(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, without its line end (join records with CSV_EOL and end the document with one). */
export function csvLine(values: readonly CsvValue[]): string {
  return values.map(csvCell).join(',');
}

/** A whole document: the byte-order mark, the header, one record per row, each ended by CRLF. */
export function csvDocument(header: readonly CsvValue[], rows: readonly (readonly CsvValue[])[]): string {
  return `${CSV_BOM}${[csvLine(header), ...rows.map(csvLine)].join(CSV_EOL)}${CSV_EOL}`;
}
