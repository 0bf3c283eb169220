import { describe, expect, test } from 'vitest';
import {
  nextVersionNumber,
  parseVersionId,
  planSubjectDelete,
  planVersionDelete,
  type SubjectVersion,
  selectVersion,
} from './subjectVersions.js';

const version = (n: number, deleted = false): SubjectVersion => ({
  version: n,
  schemaId: 10 + n,
  schema: `"s${n}"`,
  deleted,
});
const subject = 'cel.clinical-events-clinicaleventlog.events.PatientDischarged';

describe('parseVersionId', () => {
  test.each([
    { raw: 'latest', expected: 'latest' },
    { raw: 'LATEST', expected: 'latest' },
    { raw: '-1', expected: 'latest' },
    { raw: '1', expected: 1 },
    { raw: '2147483647', expected: 2_147_483_647 },
  ])('"$raw" is $expected', ({ raw, expected }) => {
    expect(parseVersionId(raw)).toEqual({ ok: true, value: expected });
  });

  test.each(['0', '-2', '2147483648', '1.5', 'one', '', '1e3'])('"%s" is 42202', (raw) => {
    expect(parseVersionId(raw)).toEqual({ ok: false, error: { kind: 'invalid-version', version: raw } });
  });
});

describe('selectVersion', () => {
  const versions = [version(1), version(2, true), version(3), version(4, true)];

  test.each([
    { name: 'a live version', id: 3, includeDeleted: false, found: 3 },
    { name: 'latest is the latest live version', id: 'latest', includeDeleted: false, found: 3 },
    { name: 'latest with deleted ones is the latest of all', id: 'latest', includeDeleted: true, found: 4 },
    { name: 'a soft-deleted version when asked for', id: 2, includeDeleted: true, found: 2 },
  ] as const)('$name', ({ id, includeDeleted, found }) => {
    const result = selectVersion(subject, versions, id, { includeDeleted });
    expect(result.ok && result.value.version).toBe(found);
  });

  test('a soft-deleted version is invisible to a plain read: 40402', () => {
    expect(selectVersion(subject, versions, 2, { includeDeleted: false })).toEqual({
      ok: false,
      error: { kind: 'version-not-found', subject, version: 2 },
    });
  });

  test('a subject whose versions are all soft-deleted reads as not found: 40401', () => {
    expect(selectVersion(subject, [version(1, true)], 'latest', { includeDeleted: false })).toEqual({
      ok: false,
      error: { kind: 'subject-not-found', subject },
    });
  });
});

describe('nextVersionNumber', () => {
  test.each([
    { name: 'a new subject starts at 1', versions: [], next: 1 },
    { name: 'after the latest', versions: [version(1), version(2)], next: 3 },
    { name: 'soft-deleted numbers are not reused', versions: [version(1, true), version(2, true)], next: 3 },
  ])('$name', ({ versions, next }) => {
    expect(nextVersionNumber(versions)).toBe(next);
  });
});

describe('planSubjectDelete', () => {
  test.each([
    {
      name: 'soft: every live version',
      versions: [version(1, true), version(2), version(3)],
      permanent: false,
      expected: { ok: true, value: [2, 3] },
    },
    {
      name: 'permanent after soft: every version',
      versions: [version(1, true), version(2, true)],
      permanent: true,
      expected: { ok: true, value: [1, 2] },
    },
    {
      name: 'unknown subject',
      versions: [],
      permanent: false,
      expected: { ok: false, error: { kind: 'subject-not-found', subject } },
    },
    {
      name: 'soft twice',
      versions: [version(1, true)],
      permanent: false,
      expected: { ok: false, error: { kind: 'subject-soft-deleted', subject } },
    },
    {
      name: 'permanent without soft',
      versions: [version(1, true), version(2)],
      permanent: true,
      expected: { ok: false, error: { kind: 'subject-not-soft-deleted', subject } },
    },
  ])('$name', ({ versions, permanent, expected }) => {
    expect(planSubjectDelete(subject, versions, permanent)).toEqual(expected);
  });
});

describe('planVersionDelete', () => {
  const versions = [version(1), version(2, true), version(3)];
  test.each([
    { name: 'soft delete of a live version', id: 1, permanent: false, expected: { ok: true, value: 1 } },
    { name: 'soft delete of latest', id: 'latest', permanent: false, expected: { ok: true, value: 3 } },
    { name: 'permanent delete of a soft-deleted version', id: 2, permanent: true, expected: { ok: true, value: 2 } },
    {
      name: 'soft delete twice',
      id: 2,
      permanent: false,
      expected: { ok: false, error: { kind: 'version-soft-deleted', subject, version: 2 } },
    },
    {
      name: 'permanent delete without soft',
      id: 3,
      permanent: true,
      expected: { ok: false, error: { kind: 'version-not-soft-deleted', subject, version: 3 } },
    },
    {
      name: 'a version that never was',
      id: 9,
      permanent: false,
      expected: { ok: false, error: { kind: 'version-not-found', subject, version: 9 } },
    },
  ] as const)('$name', ({ id, permanent, expected }) => {
    expect(planVersionDelete(subject, versions, id, permanent)).toEqual(expected);
  });

  test('a subject that never was: 40401', () => {
    expect(planVersionDelete(subject, [], 1, false)).toEqual({
      ok: false,
      error: { kind: 'subject-not-found', subject },
    });
  });
});
