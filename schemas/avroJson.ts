/** The shape of Avro schema JSON as this project writes it. Pure types and guards. */

export type AvroJson = string | AvroJsonObject | readonly AvroJson[];
export type AvroJsonObject = { readonly type: AvroJson; readonly [key: string]: unknown };
export type AvroField = {
  readonly name: string;
  readonly type: AvroJson;
  readonly doc?: string;
  readonly default?: unknown;
};
export type AvroRecord = {
  readonly type: 'record';
  readonly name: string;
  readonly namespace?: string;
  readonly doc?: string;
  readonly fields: readonly AvroField[];
};
export type AvroEnum = {
  readonly type: 'enum';
  readonly name: string;
  readonly namespace?: string;
  readonly doc?: string;
  readonly symbols: readonly string[];
  readonly default?: string;
};
export type AvroNamed = AvroRecord | AvroEnum;

export const AVRO_PRIMITIVES: ReadonlySet<string> = new Set([
  'null',
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'bytes',
  'string',
]);

export function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isNamed(value: unknown): value is AvroNamed {
  return isObject(value) && (value.type === 'record' || value.type === 'enum') && typeof value.name === 'string';
}

export function fullNameOf(named: { readonly name: string; readonly namespace?: string | undefined }): string {
  return named.name.includes('.') || named.namespace === undefined ? named.name : `${named.namespace}.${named.name}`;
}
