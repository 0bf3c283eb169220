/**
 * avsc implementations of the logical types the events use, so Avro timestamps decode to
 * Date and encode from Date. Pure.
 */
import avro from 'avsc';

/** timestamp-millis: a long of milliseconds since the epoch, as a Date. */
class TimestampMillisType extends avro.types.LogicalType {
  protected override _fromValue(value: unknown): Date {
    return new Date(Number(value));
  }
  protected override _toValue(value: unknown): number | undefined {
    if (value instanceof Date) return value.getTime();
    // avsc's validity check passes arbitrary values through _toValue; undefined means "not valid".
    return undefined;
  }
  protected override _resolve(type: avro.Type): ((value: unknown) => unknown) | undefined {
    if (avro.Type.isType(type, 'long', 'logical:timestamp-millis')) return (value) => value;
    return undefined;
  }
}

export const avroLogicalTypes = { 'timestamp-millis': TimestampMillisType } as const;

/**
 * Options for avsc's Type.forSchema that every reader and writer of events uses. A fresh
 * object each call: avsc stores the named types it parses in the options' `registry`.
 */
export function avroTypeOptions(): { logicalTypes: typeof avroLogicalTypes } {
  return { logicalTypes: avroLogicalTypes };
}
