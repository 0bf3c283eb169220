/**
 * Writes the value domain (core/valueDomain.ts) into the Avro field docs of the bundled event
 * schemas, so that subscribers read each field's limit where they read its meaning, and the
 * docs cannot drift from the table the channels enforce. Pure.
 */
import { CLINICAL_WINDOW, type EventField, eventFieldKinds, textLimits } from '../core/valueDomain.js';
import { type AvroField, type AvroJson, type AvroRecord, isObject } from './avroJson.js';

type Leaf = 'text' | 'instant';

/** What a field's type holds, unwrapping `["null", T]`: text, an instant, a record or array to walk, or nothing checked. */
function shapeOf(type: AvroJson): Leaf | AvroRecord | { readonly items: AvroJson } | undefined {
  if (Array.isArray(type)) {
    const [inner] = type.filter((member) => member !== 'null');
    return inner === undefined ? undefined : shapeOf(inner);
  }
  if (type === 'string') return 'text';
  if (!isObject(type)) return undefined;
  if (type.logicalType === 'timestamp-millis') return 'instant';
  if (type.type === 'string') return 'text';
  if (type.type === 'record') return type as unknown as AvroRecord;
  if (type.type === 'array') return { items: type.items as AvroJson };
  return undefined;
}

/** The rule for one field, as a sentence for its doc. */
export function valueDomainNote(field: EventField): string {
  const kind = eventFieldKinds[field];
  if (kind === 'instant') {
    return `Value domain: an instant from ${CLINICAL_WINDOW.from.toISOString()} to ${CLINICAL_WINDOW.to.toISOString()}.`;
  }
  const limit = textLimits[kind];
  const controls = limit.lineBreaks ? 'no control characters but TAB, LF and CR' : 'no control characters';
  return `Value domain: ${kind}, at most ${limit.maxLength} characters (code points); ${controls}; valid Unicode.`;
}

const isEventField = (path: string): path is EventField => Object.hasOwn(eventFieldKinds, path);

/** Every text and instant field's path in an event schema (array positions left out), in schema order. */
export function valueFieldsOf(record: AvroRecord, prefix = ''): readonly string[] {
  return record.fields.flatMap((field) => {
    const path = `${prefix}${field.name}`;
    let shape = shapeOf(field.type);
    if (isObject(shape) && 'items' in shape) shape = shapeOf(shape.items);
    if (shape === 'text' || shape === 'instant') return [path];
    if (isObject(shape) && 'fields' in shape) return valueFieldsOf(shape, `${path}.`);
    return [];
  });
}

function documentType(type: AvroJson, path: string): AvroJson {
  if (Array.isArray(type)) return type.map((member: AvroJson) => documentType(member, path));
  if (!isObject(type)) return type;
  if (type.type === 'record') return documentRecord(type as unknown as AvroRecord, `${path}.`);
  if (type.type === 'array') return { ...type, items: documentType(type.items as AvroJson, path) };
  return type;
}

function documentField(field: AvroField, prefix: string): AvroField {
  const path = `${prefix}${field.name}`;
  const shape = shapeOf(field.type);
  if ((shape === 'text' || shape === 'instant') && isEventField(path)) {
    return { ...field, doc: `${field.doc === undefined ? '' : `${field.doc} `}${valueDomainNote(path)}` };
  }
  return { ...field, type: documentType(field.type, path) };
}

function documentRecord(record: AvroRecord, prefix: string): AvroRecord {
  return { ...record, fields: record.fields.map((field) => documentField(field, prefix)) } as AvroRecord;
}

/** The event schema with each text and instant field's value-domain rule appended to its doc. */
export function documentValueDomain(record: AvroRecord): AvroRecord {
  return documentRecord(record, '');
}
