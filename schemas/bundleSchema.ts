/**
 * Builds a self-contained Avro schema: for an event, the envelope's fields then the event's
 * own; each shared named type (Patient, Source, CodeSystem …) is defined inline at its
 * first use and referred to by name afterwards, as Avro requires. Pure.
 */
import { err, ok, type Result } from '../core/result.js';
import {
  AVRO_PRIMITIVES,
  type AvroField,
  type AvroJson,
  type AvroNamed,
  type AvroRecord,
  fullNameOf,
  isNamed,
  isObject,
} from './avroJson.js';

export type BundleError = { readonly kind: 'unknown-type'; readonly type: string; readonly inSchema: string };

export function bundleSchema(options: {
  /** The envelope whose fields come first (events), or none (receipts, dead letters). */
  readonly envelope?: AvroRecord;
  readonly sharedTypes: readonly AvroNamed[];
  readonly record: AvroRecord;
}): Result<AvroRecord, BundleError> {
  const { envelope, record: event } = options;
  const namespace = event.namespace ?? envelope?.namespace;
  const shared = new Map(options.sharedTypes.map((t) => [fullNameOf(t), t]));
  const defined = new Set<string>();
  let failure: BundleError | undefined;

  const resolveName = (name: string, ns: string | undefined): string =>
    name.includes('.') || ns === undefined ? name : `${ns}.${name}`;

  const inline = (type: AvroJson, ns: string | undefined): AvroJson => {
    if (typeof type === 'string') {
      if (AVRO_PRIMITIVES.has(type)) return type;
      const full = resolveName(type, ns);
      if (defined.has(full)) return type;
      const definition = shared.get(full);
      if (definition === undefined) {
        failure ??= { kind: 'unknown-type', type, inSchema: event.name };
        return type;
      }
      return inline(definition, definition.namespace ?? ns);
    }
    if (Array.isArray(type)) return type.map((member: AvroJson) => inline(member, ns));
    if (isNamed(type)) {
      defined.add(fullNameOf({ name: type.name, namespace: type.namespace ?? ns }));
      if (type.type === 'enum') return type;
      const innerNs = type.namespace ?? ns;
      return { ...type, fields: type.fields.map((f) => inlineField(f, innerNs)) };
    }
    if (isObject(type) && type.type === 'array') return { ...type, items: inline(type.items as AvroJson, ns) };
    if (isObject(type) && type.type === 'map') return { ...type, values: inline(type.values as AvroJson, ns) };
    return type;
  };
  const inlineField = (field: AvroField, ns: string | undefined): AvroField => ({
    ...field,
    type: inline(field.type, ns),
  });

  defined.add(fullNameOf({ name: event.name, namespace }));
  const fields = [...(envelope?.fields ?? []), ...event.fields].map((f) => inlineField(f, namespace));
  if (failure !== undefined) return err(failure);
  const bundled: AvroRecord = {
    type: 'record',
    name: event.name,
    ...(namespace === undefined ? {} : { namespace }),
    ...(event.doc === undefined ? {} : { doc: event.doc }),
    fields,
  };
  return ok(bundled);
}
