/**
 * The pharmacy feed's cursor: per partition, the last row a reader has seen, by its full
 * place in the feed's order (offset, seq, NHS number, order id), so a page boundary between
 * rows that share an offset skips nothing. Opaque to clients (base64url of versioned JSON) and
 * checked on the way in: a cursor this API did not issue is refused with the reason. Pure.
 */
import { err, ok, type Result } from '../../core/result.js';

/** Per partition, where a reader stands: after this row (v2), or after every row at this offset and seq (v1). */
export type FeedMark = {
  readonly offset: bigint;
  readonly seq: number;
  /** The last row seen at that position; absent for a v1 cursor, which meant "every row at that offset". */
  readonly row?: { readonly nhsNumber: string; readonly orderId: string };
};

export type FeedCursor = ReadonlyMap<number, FeedMark>;

const VERSION = 2;
const MAX_INT = 2_147_483_647;
const MAX_OFFSET = 9_223_372_036_854_775_807n;
/** More partitions than a topic of this service has; bounds the work a forged cursor can ask for. */
const MAX_PARTITIONS = 10_000;

/** v2: `{"v":2,"after":[[partition,"offset",seq,"nhsNumber","orderId"],…]}`, base64url. */
export function encodeCursor(cursor: FeedCursor): string {
  const after = [...cursor]
    .sort(([a], [b]) => a - b)
    .map(([partition, mark]) =>
      mark.row === undefined
        ? [partition, String(mark.offset), mark.seq]
        : [partition, String(mark.offset), mark.seq, mark.row.nhsNumber, mark.row.orderId],
    );
  return Buffer.from(JSON.stringify({ v: VERSION, after })).toString('base64url');
}

const isPartition = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_INT;

function offsetOf(value: unknown): bigint | undefined {
  if (typeof value !== 'string' || !/^(0|[1-9]\d{0,18})$/.test(value)) return undefined;
  const offset = BigInt(value);
  return offset <= MAX_OFFSET ? offset : undefined;
}

/** Text PostgreSQL can hold and compare: well-formed Unicode without NUL. */
const isStoredText = (value: unknown, maxLength: number): value is string =>
  typeof value === 'string' &&
  value.length > 0 &&
  value.length <= maxLength &&
  !/\p{Cs}/u.test(value) &&
  !value.includes('\0');

function markOf(entry: unknown): Result<readonly [number, FeedMark], string> {
  if (!Array.isArray(entry) || (entry.length !== 3 && entry.length !== 5))
    return err('each position is [partition, offset, seq] or [partition, offset, seq, nhsNumber, orderId]');
  const [partition, rawOffset, seq, nhsNumber, orderId] = entry as unknown[];
  if (!isPartition(partition)) return err(`partition ${JSON.stringify(partition)} is not an integer 0–${MAX_INT}`);
  const offset = offsetOf(rawOffset);
  if (offset === undefined) return err(`partition ${partition}: the offset is not a decimal integer 0–${MAX_OFFSET}`);
  if (!isPartition(seq)) return err(`partition ${partition}: the seq is not an integer 0–${MAX_INT}`);
  if (entry.length === 3) return ok([partition, { offset, seq }]);
  if (typeof nhsNumber !== 'string' || !/^\d{10}$/.test(nhsNumber))
    return err(`partition ${partition}: the NHS number is not 10 digits`);
  if (!isStoredText(orderId, 4096)) return err(`partition ${partition}: the order id is not a non-empty text`);
  return ok([partition, { offset, seq, row: { nhsNumber, orderId } }]);
}

function fromEntries(entries: readonly (readonly [number, FeedMark])[]): Result<FeedCursor, string> {
  if (entries.length > MAX_PARTITIONS) return err(`more than ${MAX_PARTITIONS} partitions`);
  const cursor = new Map(entries);
  return cursor.size === entries.length ? ok(cursor) : err('a partition appears twice');
}

/**
 * The cursor in `text`, or why it is not one this API issued. Also reads the first version's
 * cursors (`{"<partition>":"<offset>"}`: every row up to that offset seen), so a reader that
 * kept one goes on without a gap.
 */
export function parseFeedCursor(text: string): Result<FeedCursor, string> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return err('not base64url');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return err('not base64url-encoded JSON'); // the parse error itself says nothing more useful
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return err('not a JSON object');
  const fields = value as Record<string, unknown>;
  if (!Object.hasOwn(fields, 'v')) {
    // Version 1: partition → offset, both as decimal strings.
    const entries: (readonly [number, FeedMark])[] = [];
    for (const [key, rawOffset] of Object.entries(fields)) {
      const partition = /^(0|[1-9]\d{0,9})$/.test(key) ? Number(key) : Number.NaN;
      const offset = offsetOf(rawOffset);
      if (!isPartition(partition) || offset === undefined) return err('not a cursor of version 1 or 2');
      entries.push([partition, { offset, seq: 0 }]);
    }
    return fromEntries(entries);
  }
  if (fields.v !== VERSION) return err(`version ${JSON.stringify(fields.v)} is not one this API issues (2)`);
  if (!Array.isArray(fields.after)) return err('"after" is not a list');
  const entries: (readonly [number, FeedMark])[] = [];
  for (const entry of fields.after as unknown[]) {
    const mark = markOf(entry);
    if (!mark.ok) return mark;
    entries.push(mark.value);
  }
  return fromEntries(entries);
}
