import { describe, expect, test } from 'vitest';
import { checkCompatibility, type EarlierVersion } from './checkCompatibility.js';
import type { CompatibilityLevel } from './compatibilityLevel.js';

type Field = { readonly name: string; readonly type: unknown; readonly default?: unknown };
const discharge = (...fields: readonly Field[]): string =>
  JSON.stringify({ type: 'record', name: 'PatientDischarged', namespace: 'cel.events', fields });
const versions = (...schemas: readonly string[]): readonly EarlierVersion[] =>
  schemas.map((schema, i) => ({ version: i + 1, schema }));

const reason: Field = { name: 'reason', type: 'string' };
const doseString: Field = { name: 'dose', type: 'string' };
const doseInt: Field = { name: 'dose', type: 'int' };
const optionalNote: Field = { name: 'note', type: ['null', 'string'], default: null };
const optionalDose: Field = { name: 'dose', type: ['null', 'string'], default: null };
const ward = (symbols: readonly string[], withDefault = false): Field => ({
  name: 'ward',
  type: { type: 'enum', name: 'Ward', symbols, ...(withDefault ? { default: symbols[0] } : {}) },
});

type Case = {
  readonly name: string;
  readonly level: CompatibilityLevel;
  readonly earlier: readonly string[];
  readonly candidate: string;
  readonly compatible: boolean;
  /** Text every message must contain, naming the field (and the change). */
  readonly message?: string;
};

const cases: readonly Case[] = [
  {
    name: 'an added optional field under FULL_TRANSITIVE',
    level: 'FULL_TRANSITIVE',
    earlier: [discharge(reason), discharge(reason, optionalDose)],
    candidate: discharge(reason, optionalDose, optionalNote),
    compatible: true,
  },
  {
    name: 'a removed field without a default under FORWARD',
    level: 'FORWARD',
    earlier: [discharge(reason, doseString)],
    candidate: discharge(doseString),
    compatible: false,
    message: "field 'reason' was removed without a default",
  },
  {
    name: 'a removed field without a default under FULL',
    level: 'FULL',
    earlier: [discharge(reason, doseString)],
    candidate: discharge(doseString),
    compatible: false,
    message: "field 'reason' was removed without a default",
  },
  {
    // The new schema reads old data and ignores the field it no longer has.
    name: 'a removed field under BACKWARD',
    level: 'BACKWARD',
    earlier: [discharge(reason, doseString)],
    candidate: discharge(doseString),
    compatible: true,
  },
  {
    name: 'an added field without a default under BACKWARD',
    level: 'BACKWARD',
    earlier: [discharge(reason)],
    candidate: discharge(reason, doseString),
    compatible: false,
    message: "field 'dose' was added without a default",
  },
  {
    name: 'a changed field type under BACKWARD',
    level: 'BACKWARD',
    earlier: [discharge(reason, doseString)],
    candidate: discharge(reason, doseInt),
    compatible: false,
    message: "field 'dose' changed type from string to int",
  },
  {
    name: 'a changed field type under FORWARD',
    level: 'FORWARD',
    earlier: [discharge(reason, doseString)],
    candidate: discharge(reason, doseInt),
    compatible: false,
    message: "field 'dose' changed type from string to int",
  },
  {
    name: 'int widened to long under BACKWARD (Avro promotes int to long)',
    level: 'BACKWARD',
    earlier: [discharge(doseInt)],
    candidate: discharge({ name: 'dose', type: 'long' }),
    compatible: true,
  },
  {
    name: 'int widened to long under FORWARD (long cannot be read as int)',
    level: 'FORWARD',
    earlier: [discharge(doseInt)],
    candidate: discharge({ name: 'dose', type: 'long' }),
    compatible: false,
    message: "field 'dose' changed type from int to long",
  },
  {
    name: 'an enum symbol added, the earlier enum having a default, under FULL',
    level: 'FULL',
    earlier: [discharge(ward(['A', 'B'], true))],
    candidate: discharge(ward(['A', 'B', 'C'], true)),
    compatible: true,
  },
  {
    name: 'an enum symbol added without a default under FORWARD',
    level: 'FORWARD',
    earlier: [discharge(ward(['A', 'B']))],
    candidate: discharge(ward(['A', 'B', 'C'])),
    compatible: false,
    message: "field 'ward': symbol 'C' was added to enum cel.events.Ward",
  },
  {
    name: 'an enum symbol removed without a default under BACKWARD',
    level: 'BACKWARD',
    earlier: [discharge(ward(['A', 'B', 'C']))],
    candidate: discharge(ward(['A', 'B'])),
    compatible: false,
    message: "field 'ward': symbol 'C' was removed from enum cel.events.Ward",
  },
  {
    name: 'a field changed in a nested record',
    level: 'BACKWARD',
    earlier: [discharge({ name: 'patient', type: { type: 'record', name: 'Patient', fields: [doseString] } })],
    candidate: discharge({ name: 'patient', type: { type: 'record', name: 'Patient', fields: [doseInt] } }),
    compatible: false,
    message: "field 'patient.dose' changed type from string to int",
  },
  {
    name: 'a branch removed from a union',
    level: 'BACKWARD',
    earlier: [discharge({ name: 'dose', type: ['null', 'string', 'int'] })],
    candidate: discharge({ name: 'dose', type: ['null', 'string'] }),
    compatible: false,
    message: "field 'dose': type int was removed from the union",
  },
  {
    name: 'a renamed record',
    level: 'BACKWARD',
    earlier: [discharge(reason)],
    candidate: JSON.stringify({ type: 'record', name: 'cel.events.Discharge', fields: [reason] }),
    compatible: false,
    message: 'name changed from cel.events.PatientDischarged to cel.events.Discharge',
  },
  {
    name: 'anything under NONE',
    level: 'NONE',
    earlier: [discharge(reason, doseString)],
    candidate: discharge(doseInt),
    compatible: true,
  },
  {
    name: 'the first version of a subject',
    level: 'FULL_TRANSITIVE',
    earlier: [],
    candidate: discharge(reason),
    compatible: true,
  },
];

describe('checkCompatibility', () => {
  test.each(cases)('$name: compatible=$compatible', ({ level, earlier, candidate, compatible, message }) => {
    const verdict = checkCompatibility(level, candidate, versions(...earlier));
    expect(verdict.compatible).toBe(compatible);
    if (compatible) {
      expect(verdict.messages).toEqual([]);
    } else {
      expect(verdict.messages.length).toBeGreaterThan(0);
      for (const line of verdict.messages) expect(line).toContain(message);
    }
  });

  // v1 {dose: string} → v2 {} → v3 {dose: int = 0}: v3 reads v2 (the default fills dose) but not v1.
  const history = versions(discharge(reason, doseString), discharge(reason));
  const candidate = discharge(reason, { name: 'dose', type: 'int', default: 0 });

  test.each([
    { level: 'BACKWARD', compatible: true },
    { level: 'BACKWARD_TRANSITIVE', compatible: false },
    { level: 'FULL', compatible: true },
    { level: 'FULL_TRANSITIVE', compatible: false },
  ] as const)(
    '$level looks at the latest version only unless transitive: compatible=$compatible',
    ({ level, compatible }) => {
      expect(checkCompatibility(level, candidate, history).compatible).toBe(compatible);
    },
  );

  test('a message names the earlier version, which side cannot read, and the level', () => {
    const verdict = checkCompatibility('BACKWARD_TRANSITIVE', candidate, history);
    expect(verdict.messages).toEqual([
      "field 'dose' changed type from string to int; the new schema cannot read data written with version 1 (BACKWARD_TRANSITIVE)",
    ]);
  });

  test('FULL reports each direction that fails', () => {
    const verdict = checkCompatibility('FULL', discharge(reason, doseInt), versions(discharge(reason, doseString)));
    expect(verdict.messages).toEqual([
      "field 'dose' changed type from string to int; the new schema cannot read data written with version 1 (FULL)",
      "field 'dose' changed type from string to int; version 1 cannot read data written with the new schema (FULL)",
    ]);
  });

  test('an unreadable candidate is incompatible, not an exception', () => {
    expect(checkCompatibility('BACKWARD', '{"type":', versions(discharge(reason)))).toEqual({
      compatible: false,
      messages: ['the new schema is not a valid Avro schema'],
    });
  });
});
