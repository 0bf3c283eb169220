/**
 * The pharmacy feed in tests: applying log records to the pharmacy view's tables the way a
 * live batch does (one transaction; each touched patient folded in log order and saved with
 * the position of its last event in the batch), and reading the feed page by page as a
 * pharmacy does. Test support; I/O.
 */
import { type Pool, withTransaction } from '../../platform/postgres.js';
import type { PharmacyState } from '../../projections/pharmacy-view/evolve.js';
import { pharmacyViewStore } from '../../projections/pharmacy-view/persist.js';
import { pharmacyView } from '../../projections/pharmacy-view/pharmacyView.js';
import { type FeedCursor, listOrders } from '../../projections/pharmacy-view/queries.js';
import type { PharmacyOrderRow, PharmacyOrderStatus } from '../../projections/pharmacy-view/rows.js';
import type { PharmacyViewTables } from '../../projections/pharmacy-view/tables.js';
import type { ClinicalEvent } from '../../schemas/generated/events.js';

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
