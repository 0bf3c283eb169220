/**
 * An idempotent acks=all producer whose send resolves only when every record has been
 * acknowledged.
 *
 * Why it exists: kafkajs 2.2.4 can resolve a send that wrote only some of its partitions. Its
 * retry (sendMessages.js) sends again only to brokers that have not answered yet; when a broker
 * dies mid-send and leadership of its partitions moves to a broker that has already answered for
 * other partitions, those partitions are left out and the send still resolves. On a 3-broker
 * cluster with a broker killed under load this dropped about one record in ten of a batch.
 *
 * What it does: each record's partition is pinned on its first placement (the default, Java-
 * compatible partitioner; a retry cannot move it), the acknowledgements are checked to cover
 * every pinned partition, and the records of any partition left out are sent again on the same
 * producer — with the same idempotent sequence numbers, so the broker keeps one copy if they had
 * landed after all. A send still short after a few rounds fails with SendIncompleteError
 * (retriable), never resolves. I/O; the accounting is pure (`partitionsLeftOut`).
 */
import kafkajs, { type Message, type PartitionerArgs, type ProducerConfig, type RecordMetadata } from 'kafkajs';
import type { Kafka } from './kafka.js';

const { Partitioners } = kafkajs;

export type { Message };

export class SendIncompleteError extends Error {
  readonly code = 'CEL_ERR_SEND_INCOMPLETE';
  readonly retriable = true;
  constructor(
    readonly topic: string,
    readonly partitions: readonly number[],
  ) {
    super(`Kafka acknowledged the write to ${topic} without partitions ${partitions.join(', ')}; resend it`);
    this.name = 'SendIncompleteError';
  }
}

/** One partition's acknowledgement: where its records start on the log. */
export type PartitionAck = { readonly partition: number; readonly baseOffset: bigint };

export type AcknowledgedProducer = {
  connect(): Promise<void>;
  /** Resolves once every record is acknowledged by all in-sync replicas (acks=all). */
  send(topic: string, messages: readonly Message[]): Promise<readonly PartitionAck[]>;
  disconnect(): Promise<void>;
};

/** The partitions that records were placed on and no error-free acknowledgement covers. */
export function partitionsLeftOut(
  placed: Iterable<number>,
  acks: readonly Pick<RecordMetadata, 'partition' | 'errorCode'>[],
): number[] {
  const acknowledged = new Set(acks.filter((a) => a.errorCode === 0).map((a) => a.partition));
  return [...new Set(placed)].filter((p) => !acknowledged.has(p)).sort((a, b) => a - b);
}

/** Rounds of resending left-out partitions before the send fails. */
const RESEND_ROUNDS = 3;

export function createAcknowledgedProducer(
  kafka: Kafka,
  options: Pick<ProducerConfig, 'retry'> = {},
): AcknowledgedProducer {
  const placements = new WeakMap<Message, number>();
  const pinned = () => {
    const place = Partitioners.DefaultPartitioner();
    return (args: PartitionerArgs) => {
      const earlier = placements.get(args.message);
      if (earlier !== undefined && earlier < args.partitionMetadata.length) return earlier;
      const partition = place(args);
      placements.set(args.message, partition);
      return partition;
    };
  };
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: pinned,
    ...options,
  });

  return {
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    async send(topic, messages) {
      // Our own objects: the pins are keyed by identity, and a caller's array may be reused.
      let pending = messages.map((m) => ({ ...m }));
      const acks: PartitionAck[] = [];
      for (let round = 0; pending.length > 0; round += 1) {
        const metadata = await producer.send({ topic, acks: -1, messages: pending });
        for (const m of metadata)
          if (m.errorCode === 0) acks.push({ partition: m.partition, baseOffset: BigInt(m.baseOffset ?? '-1') });
        const leftOut = new Set(partitionsLeftOut(pending.map(partitionOf), metadata));
        pending = pending.filter((m) => leftOut.has(partitionOf(m)));
        if (pending.length > 0 && round + 1 >= RESEND_ROUNDS) throw new SendIncompleteError(topic, [...leftOut]);
      }
      return acks;
    },
  };

  function partitionOf(message: Message): number {
    const partition = placements.get(message);
    if (partition === undefined) throw new Error('a record was sent without being placed on a partition');
    return partition;
  }
}
