/**
 * The pharmacy feed in tests: applying log records to the pharmacy view's tables the way a
 * live batch does (one transaction; each touched patient folded in log order and saved with
 * the position of its last event in the batch), and reading the feed page by page as a
 * pharmacy does. Test support; I/O.
 */
import fc from 'fast-check';
import { createPool, type Pool, withTransaction } from '../../platform/postgres.js';
import { runMigrations } from '../../platform/runMigrations.js';
import type { PharmacyState } from '../../projections/pharmacy-view/evolve.js';
import { pharmacyViewStore } from '../../projections/pharmacy-view/persist.js';
import { pharmacyView } from '../../projections/pharmacy-view/pharmacyView.js';
import { type FeedCursor, listOrders } from '../../projections/pharmacy-view/queries.js';
import type { PharmacyOrderRow, PharmacyOrderStatus } from '../../projections/pharmacy-view/rows.js';
import type { PharmacyViewTables } from '../../projections/pharmacy-view/tables.js';
import type { ClinicalEvent } from '../../schemas/generated/events.js';
import { aMedicationCancellation, aMedicationDiscontinuation, aMedicationOrder } from './eventBuilders.js';
import { test } from './fixtures.js';
import { testNhsNumber } from './viewWorkload.js';

/** A test with a pool on its own migrated database (`pool`), ended afterwards. */
export const feedTest = test.extend<{ readonly pool: Pool }>({
  pool: async ({ databaseUrl }, use) => {
    await runMigrations(databaseUrl);
    const pool = createPool(databaseUrl, { max: 3 });
    try {
      await use(pool);
    } finally {
      await pool.end();
    }
  },
});

export type LogRecord = { readonly offset: bigint; readonly event: ClinicalEvent };

/** Folds one partition's records (in offset order) into the view's tables in one transaction, as a live batch does. */
export async function applyRecords(
  pool: Pool,
  partition: number,
  records: readonly LogRecord[],
  tables?: PharmacyViewTables,
): Promise<void> {
  if (records.length === 0) return;
  const store = pharmacyViewStore(tables);
  await withTransaction(pool, async (tx) => {
    const patients = [...new Set(records.map((r) => r.event.patient.nhsNumber))];
    const stored = await store.load(tx, patients);
    const changed = new Map<string, { state: PharmacyState; position: { partition: number; offset: string } }>();
    for (const { offset, event } of records) {
      const nhs = event.patient.nhsNumber;
      const current = changed.get(nhs)?.state ?? stored.get(nhs) ?? pharmacyView.initialState;
      changed.set(nhs, { state: pharmacyView.evolve(current, event), position: { partition, offset: String(offset) } });
    }
    await store.save(tx, changed);
  });
}

export type FeedReader = {
  /** Reads one page from where the reader stands; returns its rows (none once it has caught up). */
  next(): Promise<readonly PharmacyOrderRow[]>;
  /** Every row read so far, in order. */
  readonly seen: PharmacyOrderRow[];
};

export function feedReader(
  pool: Pool,
  options: { readonly limit: number; readonly status?: PharmacyOrderStatus; readonly tables?: PharmacyViewTables },
): FeedReader {
  let cursor: FeedCursor | undefined;
  const seen: PharmacyOrderRow[] = [];
  return {
    seen,
    async next() {
      const page = await listOrders(
        pool,
        { status: options.status, since: cursor, limit: options.limit },
        ...(options.tables === undefined ? [] : [options.tables]),
      );
      cursor = page.cursor;
      seen.push(...page.orders);
      return page.orders;
    },
  };
}

/** Reads pages until one comes back empty; returns every row read. */
export async function readToEnd(reader: FeedReader): Promise<readonly PharmacyOrderRow[]> {
  for (;;) {
    const page = await reader.next();
    if (page.length === 0) return reader.seen;
  }
}

/** One action of a medication message on a patient's order number `order` (0–3). */
export type OrderAction = { readonly kind: 'order' | 'cancel' | 'discontinue'; readonly order: number };

/** A message of one patient: one to three order actions, sent together (as one ORM^O01 may carry several ORCs). */
export type FeedMessage = { readonly patient: number; readonly actions: readonly OrderAction[] };

/** What a reader does next: read a page, or let the next batch of a partition apply. */
export type FeedStep = { readonly kind: 'read' } | { readonly kind: 'apply'; readonly partition: number };

export type FeedScenario = {
  /** In log order; patient p sits on partition p % 2. */
  readonly messages: readonly FeedMessage[];
  /** Records per live batch, used in turn. */
  readonly batchSizes: readonly number[];
  readonly steps: readonly FeedStep[];
  readonly limit: number;
  readonly status: PharmacyOrderStatus | undefined;
};

export const FEED_PARTITIONS = 2;

export const arbFeedMessage = (patients: number): fc.Arbitrary<FeedMessage> =>
  fc.record({
    patient: fc.integer({ min: 0, max: patients - 1 }),
    actions: fc.array(
      fc.record({
        kind: fc.constantFrom<OrderAction['kind']>('order', 'order', 'order', 'cancel', 'discontinue'),
        order: fc.integer({ min: 0, max: 3 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  });

export const arbFeedScenario = (maxLimit = 40): fc.Arbitrary<FeedScenario> =>
  fc.record({
    messages: fc
      .integer({ min: 2, max: 6 })
      .chain((patients) => fc.array(arbFeedMessage(patients), { minLength: 1, maxLength: 20 })),
    batchSizes: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 5 }),
    steps: fc.array(
      fc.oneof(
        fc.constant<FeedStep>({ kind: 'read' }),
        fc.integer({ min: 0, max: FEED_PARTITIONS - 1 }).map((partition): FeedStep => ({ kind: 'apply', partition })),
      ),
      { maxLength: 60 },
    ),
    limit: fc.integer({ min: 1, max: maxLimit }),
    status: fc.constantFrom<PharmacyOrderStatus | undefined>(undefined, 'active'),
  });

/** The scenario's log, per partition, in offset order: each message's events at consecutive offsets. */
export function feedLog(messages: readonly FeedMessage[]): readonly (readonly LogRecord[])[] {
  const partitions: LogRecord[][] = Array.from({ length: FEED_PARTITIONS }, () => []);
  messages.forEach((message, m) => {
    const records = partitions[message.patient % FEED_PARTITIONS] ?? [];
    const nhsNumber = testNhsNumber(message.patient);
    // Each message at its own minute, so an order sent again is a change.
    const at = new Date(Date.UTC(2026, 3, 2, 9, m)).toISOString();
    for (const action of message.actions) {
      const orderId = `ORD-${message.patient}-${action.order}`;
      const event =
        action.kind === 'order'
          ? aMedicationOrder({ nhsNumber, orderId, at, prescriber: `P${m}` })
          : action.kind === 'cancel'
            ? aMedicationCancellation({ nhsNumber, orderId, at })
            : aMedicationDiscontinuation({ nhsNumber, orderId, at });
      records.push({ offset: BigInt(records.length), event });
    }
  });
  return partitions;
}

/** Cuts records into batches of the given sizes, used in turn. */
export function inBatches(records: readonly LogRecord[], sizes: readonly number[]): readonly (readonly LogRecord[])[] {
  const batches: LogRecord[][] = [];
  for (let at = 0, i = 0; at < records.length; i += 1) {
    const size = sizes[i % sizes.length] ?? 1;
    batches.push(records.slice(at, at + size));
    at += size;
  }
  return batches;
}

const rowKey = (row: PharmacyOrderRow) => `${row.nhsNumber}/${row.orderId}`;

/**
 * A reader that checks the feed's promise as it reads: a row comes again only with content it
 * has not shown before (nothing unchanged is repeated). `expectCaughtUp` then checks that the
 * last content read of every row (with the reader's status, if any) is the row as it stands.
 */
export function checkingReader(
  pool: Pool,
  options: { readonly limit: number; readonly status?: PharmacyOrderStatus | undefined },
) {
  const reader = feedReader(pool, {
    limit: options.limit,
    ...(options.status === undefined ? {} : { status: options.status }),
  });
  const lastSeen = new Map<string, string>();
  const problems: string[] = [];
  const read = async () => {
    const page = await reader.next();
    if (page.length > options.limit) problems.push(`a page of ${page.length} rows for a limit of ${options.limit}`);
    for (const row of page) {
      const content = JSON.stringify(row);
      if (lastSeen.get(rowKey(row)) === content) problems.push(`${rowKey(row)} repeated unchanged`);
      if (options.status !== undefined && row.status !== options.status)
        problems.push(`${rowKey(row)} has another status`);
      lastSeen.set(rowKey(row), content);
    }
    return page;
  };
  return {
    read,
    problems,
    /** Reads to the end, then compares what was read with the rows in `table`. */
    async expectCaughtUp(table = 'pharmacy_view_orders'): Promise<readonly string[]> {
      while ((await read()).length > 0);
      const rows = await pool.query<{ row_data: PharmacyOrderRow }>(
        `SELECT row_data FROM ${table} WHERE $1::text IS NULL OR status = $1::text`,
        [options.status ?? null],
      );
      const missed = rows.rows
        .map((r) => r.row_data)
        .filter((row) => lastSeen.get(rowKey(row)) !== JSON.stringify(row))
        .map(
          (row) => `${rowKey(row)} ${lastSeen.has(rowKey(row)) ? 'last read before its last change' : 'never read'}`,
        );
      return [...problems, ...missed];
    },
  };
}
