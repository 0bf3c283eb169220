/**
 * The audit indexes this deployment runs beside the views, as the runner starts them: the
 * audit index over the canonical topic, the raw receipts over the raw-receipts topic and the
 * access log over the access-log topic, each its own consumer group (`<ns>.audit-index`,
 * `<ns>.audit-receipts`, `<ns>.access-log`), exactly once like the views.
 */
import { UndecodableRecordError } from '../platform/eventCodec.js';
import type { RecordCodec } from '../platform/recordCodec.js';
import { ACCESS_LOG, accessLogIndex } from '../projections/audit-index/accessLogIndex.js';
import { AUDIT_INDEX, auditEventsIndex } from '../projections/audit-index/auditEventsIndex.js';
import { AUDIT_RECEIPTS, auditReceiptsIndex } from '../projections/audit-index/auditReceiptsIndex.js';
import type { AccessRecord, RawReceipt } from '../schemas/generated/events.js';
import { type RunnableView, runnableIndex } from './runViewConsumer.js';

export const auditIndexNames: readonly string[] = [AUDIT_INDEX, AUDIT_RECEIPTS, ACCESS_LOG];

/** A raw-receipts record, or an error the runner dead-letters (another record type is not a receipt). */
export function rawReceiptDecoder(recordCodec: RecordCodec): (value: Buffer) => Promise<RawReceipt> {
  return async (value) => {
    const decoded = await recordCodec.decode(value);
    if (decoded.kind !== 'RawReceipt') throw new UndecodableRecordError(`a ${decoded.kind} is not a raw receipt`);
    return decoded.value;
  };
}

/** An access-log record, or an error the runner dead-letters. */
export function accessRecordDecoder(recordCodec: RecordCodec): (value: Buffer) => Promise<AccessRecord> {
  return async (value) => {
    const decoded = await recordCodec.decode(value);
    if (decoded.kind !== 'AccessRecord') throw new UndecodableRecordError(`a ${decoded.kind} is not an access record`);
    return decoded.value;
  };
}

export function runnableAuditIndexes(recordCodec: RecordCodec): readonly RunnableView[] {
  return [
    runnableIndex(auditEventsIndex),
    runnableIndex(auditReceiptsIndex, { topic: 'raw', decode: rawReceiptDecoder(recordCodec) }),
    runnableIndex(accessLogIndex, { topic: 'access', decode: accessRecordDecoder(recordCodec) }),
  ];
}
