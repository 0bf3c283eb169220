import { describe, expect, test } from 'vitest';
import { fhirPathOf, jsonPointerOf, jsonTextLeaves, locateText } from './locateText.js';
import { checkText } from './valueDomain.js';

const violationOf = (value: string) => {
  const checked = checkText(value, 'identifier', { field: 'orderId', location: 'orderId' });
  if (checked.ok) throw new Error('expected a violation');
  return checked.error;
};

describe('locateText', () => {
  const leaves = [
    { position: 'A', text: 'other' },
    { position: 'B', text: '  O\u00071  ' },
    { position: 'C', text: 'O\u00071' },
    { position: 'D', text: 'x\u0007' },
  ];

  test('the leaf equal to the value once trimmed comes first', () => {
    expect(locateText(leaves, { violation: violationOf('O\u00071'), value: 'O\u00071' })).toBe('B');
  });

  test('else the leaf holding the value', () => {
    expect(locateText(leaves.slice(2), { violation: violationOf('\u0007'), value: '\u0007' })).toBe('C');
  });

  test('else the first leaf breaking the same rule, for a value built from several leaves', () => {
    expect(locateText(leaves, { violation: violationOf('joined\u0007'), value: 'joined\u0007' })).toBe('B');
  });

  test('nothing to point at gives undefined', () => {
    expect(locateText([{ position: 'A', text: 'fine' }], { violation: violationOf('y\u0007'), value: 'y\u0007' })).toBe(
      undefined,
    );
  });
});

describe('JSON leaves and their paths', () => {
  const body = { code: { coding: [{ display: 'a' }, { display: 'b' }] }, 'a/b~c': 'k' };

  test('every string is listed with its path, keys included', () => {
    expect([...jsonTextLeaves(body)].map((leaf) => [leaf.position, leaf.text])).toEqual([
      [['code'], 'code'],
      [['code', 'coding'], 'coding'],
      [['code', 'coding', 0, 'display'], 'display'],
      [['code', 'coding', 0, 'display'], 'a'],
      [['code', 'coding', 1, 'display'], 'display'],
      [['code', 'coding', 1, 'display'], 'b'],
      [['a/b~c'], 'a/b~c'],
      [['a/b~c'], 'k'],
    ]);
  });

  test('a FHIRPath and an RFC 6901 pointer', () => {
    expect(fhirPathOf('Condition', ['code', 'coding', 1, 'display'])).toBe('Condition.code.coding[1].display');
    expect(jsonPointerOf(['data', 'a/b~c', 0])).toBe('/data/a~1b~0c/0');
    expect(jsonPointerOf([])).toBe('/');
  });
});
