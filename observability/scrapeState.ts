/**
 * Reads the state the scrape-time gauges show: unresolved dead letters per view, parked and
 * rejected inputs waiting (COUNTs over the held-input tables), each view's position per
 * partition against the log's end offsets, and rebuilds under way (view_versions `building`,
 * progress stored under `<view>@v<N>`). One Kafka admin connection is kept between reads. I/O.
 */
import { countDeadLetters } from '../consumers/deadLetters.js';
import { readStoredOffsets } from '../consumers/storedOffsets.js';
import { createOffsetReader, type Kafka, type PartitionOffsets } from '../platform/kafka.js';
import type { Pool } from '../platform/postgres.js';
import { progressNameOf } from '../replay/versionNames.js';
import type { ScrapeState } from './metrics.js';
import { rebuildRatioOf, type ViewPosition, viewPositionsOf } from './viewPositions.js';

export type ScrapeStateReader = {
  read(): Promise<ScrapeState>;
  close(): Promise<void>;
};

export function createScrapeStateReader(deps: {
  readonly pool: Pool;
  /** The log, and the topic of each view whose position is shown; without it no positions or rebuilds. */
  readonly log?: {
    readonly kafka: Kafka;
    readonly views: readonly { readonly name: string; readonly topic: string }[];
  };
  /** Topic of a rebuilt view (the canonical log). */
  readonly rebuildTopic?: string;
  readonly timeoutMs?: number;
}): ScrapeStateReader {
  const { pool, log } = deps;
  const reader = log === undefined ? undefined : createOffsetReader(log.kafka);
  const timeoutMs = deps.timeoutMs ?? 5000;

  const heldCounts = async () => {
    const result = await pool.query<{ parked: number; rejected: number }>(
      `SELECT (SELECT count(*)::int FROM ingest_parked WHERE status = 'parked') AS parked,
              (SELECT count(*)::int FROM ingest_rejected WHERE status = 'rejected') AS rejected`,
    );
    return result.rows[0];
  };

  const positions = async (ends: (topic: string) => Promise<readonly PartitionOffsets[]>) => {
    const all: ViewPosition[] = [];
    for (const view of log?.views ?? []) {
      all.push(
        ...viewPositionsOf(view.name, await ends(view.topic), await readStoredOffsets(pool, view.name, view.topic)),
      );
    }
    return all;
  };

  const rebuilds = async (ends: (topic: string) => Promise<readonly PartitionOffsets[]>) => {
    const topic = deps.rebuildTopic;
    if (topic === undefined) return [];
    const building = await pool.query<{ view: string; version: number }>(
      `SELECT view, version FROM view_versions WHERE status = 'building' ORDER BY view, version`,
    );
    const out: { view: string; ratio: number }[] = [];
    for (const row of building.rows) {
      const stored = await readStoredOffsets(pool, progressNameOf(row.view, row.version), topic);
      out.push({ view: row.view, ratio: rebuildRatioOf(await ends(topic), stored) });
    }
    return out;
  };

  return {
    async read() {
      const endsByTopic = new Map<string, Promise<readonly PartitionOffsets[]>>();
      const ends = (topic: string) => {
        let found = endsByTopic.get(topic);
        if (found === undefined && reader !== undefined) {
          found = reader.read(topic, timeoutMs);
          endsByTopic.set(topic, found);
        }
        return found ?? Promise.resolve([]);
      };
      const [deadLetters, held] = await Promise.all([countDeadLetters(pool), heldCounts()]);
      // The log's part fails alone (a broker away): the database's counts are still shown.
      const logPart =
        reader === undefined ? undefined : await Promise.all([positions(ends), rebuilds(ends)]).catch(() => undefined);
      return {
        deadLetters,
        ...(held === undefined ? {} : { parkedInputs: held.parked, rejectedInputs: held.rejected }),
        ...(logPart === undefined ? {} : { viewPositions: logPart[0], rebuilds: logPart[1] }),
      };
    },
    async close() {
      await reader?.close();
    },
  };
}
