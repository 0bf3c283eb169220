import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { checkText } from '../../core/valueDomain.js';
import { hl7Bytes, sampleLines, withField } from '../../test/support/hl7Lines.js';
import { buildAck } from './buildAck.js';
import { headerOfFrame, interpretHl7 } from './interpretHl7.js';
import { escapeHl7 } from './serializeHl7.js';

const order = sampleLines('hl7v2/orm_o01_new_order.hl7');
const discharge = sampleLines('hl7v2/adt_a03_discharge.hl7');
const notMapped = sampleLines('hl7v2/adt_a28_not_mapped.hl7');

const interpret = (payload: Uint8Array) => interpretHl7({ payload, receiptId: 'receipt-1' });
const rejectionOf = (lines: readonly string[]) => {
  const interpretation = interpret(hl7Bytes(lines));
  return interpretation.kind === 'rejected' ? interpretation.rejection : interpretation.kind;
};

const rxo1 = (display: string) => `323509004^${display}^DMD`;

describe('accepted, then lost: values the views cannot hold are refused with AE at their leaf', () => {
  test.each([
    {
      name: 'a NUL from a hex escape in an RXO field',
      lines: withField(order, 'RXO-1', rxo1('Amox\\X00\\icillin')),
      location: 'RXO-1.2',
      field: 'medication.display',
    },
    {
      name: 'an ESC from a hex escape in an RXO field',
      lines: withField(order, 'RXO-1', rxo1('A\\X1B\\B')),
      location: 'RXO-1.2',
      field: 'medication.display',
    },
    {
      name: 'a C1 control in an order number',
      lines: withField(order, 'ORC-2', 'ORD\\XC285\\1^EPR'),
      location: 'ORC-2.1',
      field: 'orderId',
    },
    {
      name: 'an event time in year 9999',
      lines: withField(discharge, 'PV1-45', '99990101120000'),
      location: 'PV1-45',
      field: 'PV1-45',
    },
    {
      name: 'an event time before 1900',
      lines: withField(discharge, 'PV1-45', '18991231120000'),
      location: 'PV1-45',
      field: 'PV1-45',
    },
  ])('$name', ({ lines, location, field }) => {
    const rejection = rejectionOf(lines);
    expect(rejection).toMatchObject({ kind: 'invalid-value', location });
    expect(typeof rejection === 'object' && rejection.reason).toContain(field);
  });
});

describe('very long texts and identifiers are refused (AE) before anything is published', () => {
  test.each([
    { name: 'a 6,000-character MSH-10', lines: withField(order, 'MSH-10', '1'.repeat(6000)), location: 'MSH-10' },
    {
      name: 'a 6,000-character MSH-10 on an ignored trigger',
      lines: withField(notMapped, 'MSH-10', '1'.repeat(6000)),
      location: 'MSH-10',
    },
    {
      name: 'a 201-character sending application',
      lines: withField(order, 'MSH-3', 'A'.repeat(201)),
      location: 'MSH-3',
    },
    {
      name: 'a 1,001-character drug display',
      lines: withField(order, 'RXO-1', rxo1('x'.repeat(1001))),
      location: 'RXO-1.2',
    },
    {
      name: 'a 201-character order number',
      lines: withField(order, 'ORC-2', `${'9'.repeat(201)}^EPR`),
      location: 'ORC-2.1',
    },
    {
      name: 'a 201-character visit number',
      lines: withField(discharge, 'PV1-19', `${'V'.repeat(201)}^^^RXX^VN`),
      location: 'PV1-19.1',
    },
    {
      name: 'a 201-character MRN',
      lines: withField(order, 'PID-3', `9992000368^^^NHS^NH~${'H'.repeat(201)}^^^RXX^MR`),
      location: 'PID-3[2].1',
    },
  ])('$name', ({ lines, location }) => {
    expect(rejectionOf(lines)).toMatchObject({ kind: 'invalid-value', location });
  });

  test('text at its limit is taken', () => {
    expect(rejectionOf(withField(order, 'RXO-1', rxo1('x'.repeat(1000))))).toBe('facts');
  });
});

describe('quietly changed values', () => {
  test.each([
    { name: 'a VT escaped at the end of ORC-2', field: 'ORC-2', value: 'FZ726aX\\X0B\\', location: 'ORC-2' },
    { name: 'a CR escaped at the end of ORC-2', field: 'ORC-2', value: 'ORD-9\\X0D\\', location: 'ORC-2' },
    { name: 'a TAB leading ORC-2', field: 'ORC-2', value: '\tORD-9', location: 'ORC-2' },
  ])('$name is refused at its field, not cut off the identifier', ({ field, value, location }) => {
    expect(rejectionOf(withField(order, field, value))).toMatchObject({ kind: 'invalid-value', location });
  });

  test('spaces padding a leaf are not part of it; a no-break space is', () => {
    expect(interpret(hl7Bytes(withField(order, 'ORC-2', '  ORD-9  ')))).toMatchObject({
      kind: 'facts',
      units: [{ drafts: [{ orderId: 'ORD-9' }] }],
    });
    expect(interpret(hl7Bytes(withField(order, 'ORC-2', '\u00a0ORD-9')))).toMatchObject({
      kind: 'facts',
      units: [{ drafts: [{ orderId: '\u00a0ORD-9' }] }],
    });
  });

  test('2026-02-31 in an HL7 date field is refused, not stored as 3 March', () => {
    expect(rejectionOf(withField(discharge, 'PV1-45', '20260231120000'))).toMatchObject({
      kind: 'invalid-value',
      location: 'PV1-45',
    });
  });

  test('invalid UTF-8 without MSH-18 is refused with AE naming MSH-18, not read as mojibake', () => {
    const bytes = hl7Bytes(withField(order, 'MSH-12', '2.5.1'));
    const latin1 = Uint8Array.from([...bytes.subarray(0, bytes.length - 1), 0xe9, 0x0d]);
    const interpretation = interpret(latin1);
    expect(interpretation).toMatchObject({
      kind: 'rejected',
      rejection: { kind: 'invalid-structure', location: 'MSH-18' },
    });
    if (interpretation.kind !== 'rejected') return;
    const ack = buildAck(headerOfFrame(latin1), interpretation, { controlId: 'A1', now: new Date(0) });
    expect(ack).toContain('MSA|AE|');
    expect(ack).toMatch(/\rERR\|\|MSH\^1\^18\|102\^Data type error\^HL70357\|E\|invalid-structure\|\|\|[^\r]*MSH-18/);
  });

  test('valid UTF-8 without MSH-18 is taken as UTF-8', () => {
    const interpretation = interpret(hl7Bytes(withField(order, 'RXO-1', rxo1('Amoxicilline à 500 mg'))));
    expect(interpretation.kind === 'facts' && interpretation.units[0]?.drafts[0]).toMatchObject({
      medication: { display: 'Amoxicilline à 500 mg' },
    });
  });
});

test('the ACK for a value error is AE with ERR-2 down to the component and ERR-3 102', () => {
  const lines = withField(withField(order, 'MSH-12', '2.5.1'), 'RXO-1', rxo1('Amox\\X00\\icillin'));
  const interpretation = interpret(hl7Bytes(lines));
  if (interpretation.kind !== 'rejected') throw new Error('expected a rejection');
  const ack = buildAck(headerOfFrame(hl7Bytes(lines)), interpretation, { controlId: 'A1', now: new Date(0) });
  expect(ack).toContain('MSA|AE|');
  expect(ack).toContain('\rERR||RXO^1^1^1^2^1|102^Data type error^HL70357|E|invalid-value|||');
  expect(ack).toContain('U+0000');
});

describe('any drug display is either published as sent (less the spaces padding it, as HL7 leaves are read) or refused at RXO-1.2', () => {
  const encoding = { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' };
  const anyText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 1200 }),
    fc.constantFrom(
      '\u0000',
      '\u001b',
      '\u0085',
      '\ufffe',
      'a\tb',
      'x'.repeat(1001),
      'Med \r',
      'Med\u000b',
      '\u00a0Med',
      '\tMed',
    ),
  );
  propTest.prop([anyText])('RXO-1.2', (display) => {
    const lines = withField(order, 'RXO-1', `323509004^${escapeHl7(display, encoding)}^DMD`);
    const interpretation = interpret(hl7Bytes(lines));
    const sent = display.replace(/^ +| +$/g, '');
    if (sent === '' || sent === '""') return;
    const inDomain = checkText(sent, 'display', { field: 'display', location: 'RXO-1.2' }).ok;
    if (interpretation.kind === 'facts') {
      expect(inDomain).toBe(true);
      expect(interpretation.units[0]?.drafts[0]).toMatchObject({ medication: { display: sent } });
    } else {
      expect(inDomain).toBe(false);
      expect(interpretation).toMatchObject({
        kind: 'rejected',
        rejection: { kind: 'invalid-value', location: 'RXO-1.2' },
      });
    }
  });
});
