/** The consumer runner's own failures, each naming the view and the coordinates to act on. */

export class PartitionOwnershipLostError extends Error {
  readonly code = 'CEL_ERR_PARTITION_OWNERSHIP_LOST';
  readonly retriable = true;
  constructor(
    readonly view: string,
    readonly topic: string,
    readonly partition: number,
    readonly expected: bigint,
    options?: ErrorOptions,
  ) {
    super(
      `${view}: ${topic}[${partition}] stored next offset is no longer ${expected}; another instance applied it — batch rolled back`,
      options,
    );
    this.name = 'PartitionOwnershipLostError';
  }
}

export class StoredOffsetGapError extends Error {
  readonly code = 'CEL_ERR_OFFSET_GAP';
  readonly retriable = true;
  constructor(
    readonly view: string,
    readonly topic: string,
    readonly partition: number,
    readonly expected: bigint,
    readonly received: bigint,
  ) {
    super(`${view}: ${topic}[${partition}] batch starts at ${received}, stored next offset is ${expected}; re-seeking`);
    this.name = 'StoredOffsetGapError';
  }
}

/** A hold was placed on the partition while a batch ran past it: the batch rolls back and is applied again under the hold. */
export class HoldPlacedError extends Error {
  readonly code = 'CEL_ERR_HOLD_PLACED';
  readonly retriable = true;
  constructor(
    readonly view: string,
    readonly topic: string,
    readonly partition: number,
  ) {
    super(
      `${view}: ${topic}[${partition}] was held while a batch ran past the hold; batch rolled back, applying again`,
    );
    this.name = 'HoldPlacedError';
  }
}

/**
 * The view has applied offsets the log does not have: the topic was recreated or truncated
 * since. Applying from here would skip the new records below the stored offsets, so the
 * consumer refuses to start.
 */
export class LogBehindViewError extends Error {
  readonly code = 'CEL_ERR_LOG_BEHIND_VIEW';
  readonly retriable = false;
  constructor(
    readonly view: string,
    readonly topic: string,
    readonly partition: number,
    readonly stored: bigint,
    readonly end: bigint,
    /** What else may be done besides pointing at the right log: a view can be rebuilt, a log index cannot. */
    rebuildable: boolean,
  ) {
    super(
      `${view}: applied up to offset ${stored} of ${topic}[${partition}], but the log ends at ${end}: the topic was recreated or truncated since, and new records would be skipped. ` +
        (rebuildable
          ? `Point TOPIC_NAMESPACE (and KAFKA_BROKERS) at the log this view was built from, or rebuild it from this log (npm run replay -- rebuild ${view})`
          : `Point TOPIC_NAMESPACE (and KAFKA_BROKERS) at the log it indexed; a new log needs a new TOPIC_NAMESPACE (what ${view} holds of the old one is kept)`),
    );
    this.name = 'LogBehindViewError';
  }
}

/**
 * A member that holds partitions with records to apply has not been handed a batch for the
 * stall timeout, with nothing in hand to wait on (no hold, no registry or database wait): the
 * client is connected but no longer fetching. The member is replaced.
 */
export class ConsumerStalledError extends Error {
  readonly code = 'CEL_ERR_CONSUMER_STALLED';
  readonly retriable = true;
  constructor(
    readonly view: string,
    readonly partitions: readonly number[],
    readonly forMs: number,
  ) {
    super(
      `${view}: partitions ${partitions.join(', ')} have records to apply but no batch came for ${Math.round(forMs / 1000)} s; replacing the consumer`,
    );
    this.name = 'ConsumerStalledError';
  }
}
