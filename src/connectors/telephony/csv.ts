/**
 * CSV lines (RFC 4180: comma-separated, CRLF, fields with a comma, quote or
 * line break quoted, quotes doubled) that are safe to open in a spreadsheet: a
 * cell starting with `=`, `+`, `-` or `@` (or a tab or carriage return) would be
 * read as a formula (OWASP "CSV Injection"), so it gets a leading `'`, which
 * spreadsheets show as text. A phone number `+14155550100` is written `'+14155550100`.
 */
export function csvLine(values: readonly (string | number | null | undefined)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
