import { describe, expect, test } from 'vitest';
import { fhirJson, type Json } from '../../test/support/fhirResources.js';
import { interpretFhir } from './interpretFhir.js';
import { fhirAnswerFor, toOperationOutcome } from './toOperationOutcome.js';

const condition = fhirJson('fhir/condition_confirmed.json');
const medication = fhirJson('fhir/medicationrequest_active.json');
const transaction = fhirJson('fhir/bundle_transaction.json');

const withDisplay = (display: string): Json => ({
  ...condition,
  code: { coding: [{ system: 'http://snomed.info/sct', code: '714628002', display }] },
});

const interpretText = (endpoint: 'Condition' | 'MedicationRequest' | 'Bundle', text: string) =>
  interpretFhir(endpoint, { payload: new TextEncoder().encode(text), receiptId: 'receipt-1', remoteAddress: null });
const interpret = (endpoint: 'Condition' | 'MedicationRequest' | 'Bundle', body: Json) =>
  interpretText(endpoint, JSON.stringify(body));

const rejectionOf = (interpretation: ReturnType<typeof interpret>) =>
  interpretation.kind === 'rejected' ? interpretation.rejection : interpretation.kind;

describe('accepted, then lost: values the views cannot hold are refused with the element expression', () => {
  test('a NUL in a display is a 400 OperationOutcome naming the element', () => {
    const rejection = rejectionOf(interpret('Condition', withDisplay('Pre\u0000diabetes')));
    expect(rejection).toMatchObject({ kind: 'invalid-value', location: 'Condition.code.coding[0].display' });
    if (typeof rejection === 'string') return;
    expect(fhirAnswerFor[rejection.kind].httpStatus).toBe(400);
    expect(toOperationOutcome(rejection, 'c1').issue[0]).toMatchObject({
      code: 'value',
      expression: ['Condition.code.coding[0].display'],
    });
  });

  test.each([
    { name: 'recordedDate in year 9999', date: '9999-12-31T00:00:00Z' },
    { name: 'recordedDate in year 0001', date: '0001-01-01T00:00:00Z' },
  ])('$name', ({ date }) => {
    expect(rejectionOf(interpret('Condition', { ...condition, recordedDate: date }))).toMatchObject({
      kind: 'invalid-value',
      location: 'Condition.recordedDate',
    });
  });

  test('a control character in a dosage instruction of a MedicationRequest', () => {
    const dosage = (medication.dosageInstruction as Json[]).map((d, i) => (i === 0 ? { ...d, text: 'One\u0007' } : d));
    const rejection = rejectionOf(interpret('MedicationRequest', { ...medication, dosageInstruction: dosage }));
    expect(rejection).toMatchObject({ kind: 'invalid-value', location: 'MedicationRequest.dosageInstruction[0].text' });
  });

  test('in a transaction, the entry is named and nothing of the Bundle is taken', () => {
    const entries = (transaction.entry as Json[]).map((entry, i) =>
      i === 1 ? { ...entry, resource: { ...(entry.resource as Json), code: withDisplay('x\u0000').code } } : entry,
    );
    expect(rejectionOf(interpret('Bundle', { ...transaction, entry: entries }))).toMatchObject({
      kind: 'invalid-value',
      location: 'Bundle.entry[1].resource.code.coding[0].display',
    });
  });
});

describe('very long texts and identifiers are refused before anything is published', () => {
  test('a 1,001-character display', () => {
    expect(rejectionOf(interpret('Condition', withDisplay('x'.repeat(1001))))).toMatchObject({
      kind: 'invalid-value',
      location: 'Condition.code.coding[0].display',
    });
  });

  test('a 4,001-character dosage text', () => {
    const dosage = (medication.dosageInstruction as Json[]).map((d, i) =>
      i === 0 ? { ...d, text: 'y'.repeat(4001) } : d,
    );
    expect(rejectionOf(interpret('MedicationRequest', { ...medication, dosageInstruction: dosage }))).toMatchObject({
      kind: 'invalid-value',
      location: 'MedicationRequest.dosageInstruction[0].text',
    });
  });

  test('a 1,001-character recorder identifier', () => {
    const recorder = { identifier: { system: 'https://fhir.hl7.org.uk/Id/gmc-number', value: '9'.repeat(1001) } };
    expect(rejectionOf(interpret('Condition', { ...condition, recorder }))).toMatchObject({
      kind: 'invalid-value',
      location: 'Condition.recorder.identifier.value',
    });
  });

  test('text at its limit is taken', () => {
    expect(interpret('Condition', withDisplay('x'.repeat(1000))).kind).toBe('facts');
  });
});

describe('quietly changed values', () => {
  test('2026-02-31 is refused, not stored as 3 March', () => {
    expect(rejectionOf(interpret('Condition', { ...condition, recordedDate: '2026-02-31T09:05:00Z' }))).toMatchObject({
      kind: 'invalid-value',
      location: 'Condition.recordedDate',
    });
  });

  test('a lone UTF-16 surrogate escape in the JSON text is refused, not turned into U+FFFD', () => {
    const text = JSON.stringify(withDisplay('PLACEHOLDER')).replace('PLACEHOLDER', 'Pre\\ud800diabetes');
    expect(rejectionOf(interpretText('Condition', text))).toMatchObject({
      kind: 'invalid-value',
      location: 'Condition.code.coding[0].display',
    });
  });

  test('a lone surrogate in an element the mapping does not read is refused too', () => {
    const text = JSON.stringify({ ...condition, note: [{ text: 'PLACEHOLDER' }] }).replace('PLACEHOLDER', '\\udc00');
    expect(rejectionOf(interpretText('Condition', text))).toMatchObject({ location: 'Condition.note[0].text' });
  });

  test('bytes that are not UTF-8 are refused, not read as U+FFFD', () => {
    const bytes = new TextEncoder().encode(JSON.stringify(withDisplay('Pre-diabetes')));
    const broken = Uint8Array.from(bytes, (byte) => (byte === 0x2d ? 0xe9 : byte));
    const interpretation = interpretFhir('Condition', { payload: broken, receiptId: 'r', remoteAddress: null });
    expect(rejectionOf(interpretation)).toMatchObject({ kind: 'unparseable' });
  });
});
