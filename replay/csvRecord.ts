/**
 * RFC 4180 records: fields separated by commas and each record ended by CRLF. A field that
 * holds a comma, a double quote, CR or LF is enclosed in double quotes, with each double quote
 * inside doubled; any other field is written as it is. Pure.
 */

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvRecord(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}
