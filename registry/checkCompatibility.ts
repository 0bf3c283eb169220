/**
 * Decides whether a new schema may follow a subject's earlier versions under a compatibility
 * level, by real Avro resolution (avsc `reader.createResolver(writer)`), and says why not in
 * terms of the change: the field, and what happened to it. Pure.
 */
import avro from 'avsc';
import type { CompatibilityLevel } from './compatibilityLevel.js';

export type EarlierVersion = { readonly version: number; readonly schema: string };

export type CompatibilityVerdict = {
  readonly compatible: boolean;
  /** One line per problem found, naming the field and the earlier version; empty when compatible. */
  readonly messages: readonly string[];
};

/**
 * BACKWARD: the new schema can read data written with the latest earlier version (all of them
 * when transitive). FORWARD: the earlier version(s) can read data written with the new one.
 * FULL: both. `earlier` is in version order; only the last counts unless transitive.
 */
export function checkCompatibility(
  level: CompatibilityLevel,
  candidate: string,
  earlier: readonly EarlierVersion[],
): CompatibilityVerdict {
  if (level === 'NONE' || earlier.length === 0) return { compatible: true, messages: [] };
  const newType = parse(candidate);
  if (newType === undefined) return { compatible: false, messages: ['the new schema is not a valid Avro schema'] };
  const against = level.endsWith('_TRANSITIVE') ? earlier : earlier.slice(-1);
  const directions: readonly Direction[] = level.startsWith('BACKWARD')
    ? ['backward']
    : level.startsWith('FORWARD')
      ? ['forward']
      : ['backward', 'forward'];
  const messages: string[] = [];
  for (const previous of against) {
    const oldType = parse(previous.schema);
    if (oldType === undefined) {
      messages.push(`version ${previous.version} is not a valid Avro schema`);
      continue;
    }
    for (const direction of directions) {
      const problems =
        direction === 'backward' ? explain(newType, oldType, 'backward', '') : explain(oldType, newType, 'forward', '');
      const consequence =
        direction === 'backward'
          ? `the new schema cannot read data written with version ${previous.version}`
          : `version ${previous.version} cannot read data written with the new schema`;
      for (const problem of problems) messages.push(`${problem}; ${consequence} (${level})`);
    }
  }
  return { compatible: messages.length === 0, messages };
}

/** backward: the new schema reads, the old one wrote. forward: the old schema reads, the new one wrote. */
type Direction = 'backward' | 'forward';

type RecordType = avro.types.RecordType;
type EnumType = avro.types.EnumType;
type ArrayType = avro.types.ArrayType;
type MapType = avro.types.MapType;
type UnionType = avro.types.UnwrappedUnionType | avro.types.WrappedUnionType;

/** Why `reader` cannot read what `writer` wrote, as changes from the old schema to the new one. */
function explain(reader: avro.Type, writer: avro.Type, direction: Direction, path: string): readonly string[] {
  if (canRead(reader, writer)) return [];
  const where = path === '' ? 'the schema' : `field '${path}'`;
  const [from, to] = direction === 'backward' ? [writer, reader] : [reader, writer];

  if (isUnion(writer)) {
    const unreadable = writer.types.filter((branch) => !canRead(reader, branch));
    return unreadable.flatMap((branch) => {
      const nested = isUnion(reader) ? closestBranch(reader, branch) : reader;
      const inner = nested === undefined ? [] : explain(nested, branch, direction, path);
      if (inner.length > 0) return inner;
      const change = direction === 'backward' ? 'was removed from' : 'was added to';
      return [`${where}: type ${describe(branch)} ${change} the union`];
    });
  }
  if (isUnion(reader)) {
    const nested = closestBranch(reader, writer);
    const inner = nested === undefined ? [] : explain(nested, writer, direction, path);
    return inner.length > 0 ? inner : [`${where} changed type from ${describe(from)} to ${describe(to)}`];
  }
  if (reader.typeName !== writer.typeName) {
    return [`${where} changed type from ${describe(from)} to ${describe(to)}`];
  }
  if (reader.name !== undefined && writer.name !== undefined && !namesMatch(reader, writer)) {
    return [`${where}: ${reader.typeName} name changed from ${from.name} to ${to.name}`];
  }
  if (isRecord(reader) && isRecord(writer)) return explainRecord(reader, writer, direction, path);
  if (isEnum(reader) && isEnum(writer)) {
    const missing = writer.symbols.filter((symbol) => !reader.symbols.includes(symbol));
    const change = direction === 'backward' ? 'was removed from' : 'was added to';
    const oldSide = direction === 'backward' ? 'the new' : 'the earlier';
    return missing.map(
      (symbol) => `${where}: symbol '${symbol}' ${change} enum ${reader.name}, and ${oldSide} enum has no default`,
    );
  }
  if (isArray(reader) && isArray(writer)) return explain(reader.itemsType, writer.itemsType, direction, `${path}[]`);
  if (isMap(reader) && isMap(writer)) return explain(reader.valuesType, writer.valuesType, direction, `${path}{}`);
  return [`${where} changed type from ${describe(from)} to ${describe(to)}`];
}

function explainRecord(reader: RecordType, writer: RecordType, direction: Direction, path: string): readonly string[] {
  const problems: string[] = [];
  for (const field of reader.fields) {
    const fieldPath = path === '' ? field.name : `${path}.${field.name}`;
    const written = writer.fields.find((w) => w.name === field.name || field.aliases.includes(w.name));
    if (written === undefined) {
      if (field.defaultValue() === undefined) {
        const change = direction === 'backward' ? 'was added' : 'was removed';
        problems.push(`field '${fieldPath}' ${change} without a default`);
      }
      continue;
    }
    problems.push(...explain(field.type, written.type, direction, fieldPath));
  }
  if (problems.length === 0) problems.push(`${path === '' ? 'the record' : `field '${path}'`} cannot be resolved`);
  return problems;
}

function canRead(reader: avro.Type, writer: avro.Type): boolean {
  try {
    reader.createResolver(writer);
    return true;
  } catch {
    return false; // the answer asked for: the caller explains the difference
  }
}

/** The union branch a writer type would be read into: same name, else same kind. */
function closestBranch(union: UnionType, writer: avro.Type): avro.Type | undefined {
  return (
    union.types.find((branch) => writer.name !== undefined && branch.name === writer.name) ??
    union.types.find((branch) => branch.typeName === writer.typeName)
  );
}

function namesMatch(reader: avro.Type, writer: avro.Type): boolean {
  return reader.name === writer.name || (reader.aliases ?? []).includes(writer.name ?? '');
}

function describe(type: avro.Type): string {
  if (isUnion(type)) return type.types.map(describe).join('|');
  return type.name ?? type.typeName;
}

function parse(schema: string): avro.Type | undefined {
  try {
    return avro.Type.forSchema(JSON.parse(schema) as avro.Schema);
  } catch {
    return undefined; // reported by the caller as an invalid schema
  }
}

function isUnion(type: avro.Type): type is UnionType {
  return type.typeName.startsWith('union');
}
function isRecord(type: avro.Type): type is RecordType {
  return type.typeName === 'record' || type.typeName === 'error';
}
function isEnum(type: avro.Type): type is EnumType {
  return type.typeName === 'enum';
}
function isArray(type: avro.Type): type is ArrayType {
  return type.typeName === 'array';
}
function isMap(type: avro.Type): type is MapType {
  return type.typeName === 'map';
}
