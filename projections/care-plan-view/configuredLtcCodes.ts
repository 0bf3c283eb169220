/**
 * The LTC list this deployment uses: the file named by LTC_CODES_FILE (JSON, see
 * `parseLtcCodes`), else the built-in list. Read once, when the views are first loaded, so
 * the service, the rebuild and the point-in-time views all fold with the same list. A list
 * that cannot be read stops start-up with the file and the fault. I/O (reads the file).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultLtcCodes, type LtcCodes, parseLtcCodes } from './ltcCodes.js';

export class LtcCodesFileError extends Error {
  readonly code = 'CEL_ERR_LTC_CODES_FILE';
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`LTC_CODES_FILE ${file}: ${problem}`);
    this.name = 'LtcCodesFileError';
  }
}

export function configuredLtcCodes(env: Readonly<Record<string, string | undefined>> = process.env): {
  readonly codes: LtcCodes;
  /** Where the list came from: the file, or "built-in". */
  readonly source: string;
} {
  const named = env.LTC_CODES_FILE?.trim();
  if (named === undefined || named === '') return { codes: defaultLtcCodes, source: 'built-in' };
  const file = resolve(named);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new LtcCodesFileError(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LtcCodesFileError(file, `not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = parseLtcCodes(json);
  if (!parsed.ok) throw new LtcCodesFileError(file, parsed.error);
  return { codes: parsed.value, source: file };
}
