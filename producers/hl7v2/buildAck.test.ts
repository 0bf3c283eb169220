import { describe, expect, test } from 'vitest';
import { hl7Bytes, mapHl7Bytes, sampleLines } from '../../test/support/hl7Lines.js';
import { expectedOutcomes, sampleBytes } from '../../test/support/samples.js';
import { type Rejection, rejectionKinds } from '../rejection.js';
import { type AckAnswer, ackRules, buildAck, hl7ErrorTexts } from './buildAck.js';
import { type Hl7Message, valueAt } from './hl7Message.js';
import { parseHl7 } from './parseHl7.js';
import { type Hl7Header, readHl7Header } from './readHl7Header.js';

const NOW = new Date('2026-03-02T14:31:06.789Z');
const OPTIONS = { controlId: 'CEL-000001', now: NOW };

function parsedAck(text: string): Hl7Message {
  const parsed = parseHl7(new TextEncoder().encode(text));
  if (!parsed.ok) throw new Error(`the ACK does not parse: ${JSON.stringify(parsed.error)}`);
  return parsed.value;
}

function headerOfBytes(bytes: Uint8Array): Hl7Header | undefined {
  const header = readHl7Header(bytes);
  return header.ok ? header.value : undefined;
}

/** The answer the pipeline gives each sample: rejections from parsing and mapping, the rest from the expected outcome. */
function answerFor(input: string, outcome: string): AckAnswer {
  const mapped = mapHl7Bytes(sampleBytes(input));
  if (!mapped.ok) return { kind: 'rejected', rejection: mapped.error };
  switch (outcome) {
    case 'duplicate':
      return { kind: 'duplicate' };
    case 'parked':
      return { kind: 'parked', on: 'an NHS number for the RXX MRN' };
    case 'ignored':
      return { kind: 'ignored' };
    default:
      return { kind: 'accepted' };
  }
}

const samples = expectedOutcomes('hl7v2').map((outcome) => ({ ...outcome, name: outcome.input }));

describe('buildAck for every HL7 sample', () => {
  test.each(samples)('$name: $ack echoing its MSH-10, with its error', (outcome) => {
    const bytes = sampleBytes(outcome.input);
    const request = headerOfBytes(bytes);
    const ack = parsedAck(buildAck(request, answerFor(outcome.input, outcome.outcome), OPTIONS));

    expect(valueAt(ack, 'MSA-1')).toBe(outcome.ack);
    expect(valueAt(ack, 'MSA-2')).toBe(outcome.sourceIdentity?.controlId ?? '');
    expect(valueAt(ack, 'MSH-10')).toBe('CEL-000001');
    expect(valueAt(ack, 'MSH-9.1')).toBe('ACK');
    expect(valueAt(ack, 'MSH-9.2')).toBe(request?.triggerEvent ?? '');
    expect(valueAt(ack, 'MSH-5')).toBe(outcome.sourceIdentity?.sendingApplication ?? '');
    expect(valueAt(ack, 'MSH-6')).toBe(outcome.sourceIdentity?.sendingFacility ?? '');
    expect(valueAt(ack, 'MSH-3')).toBe(request?.receivingApplication ?? 'CEL');
    expect(valueAt(ack, 'MSH-12')).toBe(request?.version ?? '2.5.1');

    if (outcome.error === undefined) {
      expect(ack.segments.map((segment) => segment.id)).toEqual(['MSH', 'MSA']);
      return;
    }
    const [segment, field] = outcome.error.location.split('-');
    if (request?.version === '2.4') {
      expect([
        valueAt(ack, 'ERR-1.1'),
        valueAt(ack, 'ERR-1.3'),
        valueAt(ack, 'ERR-1.4.1'),
        valueAt(ack, 'ERR-1.4.3'),
      ]).toEqual([segment, field ?? '', outcome.error.hl7ErrorCode, 'HL70357']);
      return;
    }
    expect([
      valueAt(ack, 'ERR-2.1'),
      valueAt(ack, 'ERR-2.3'),
      valueAt(ack, 'ERR-3.1'),
      valueAt(ack, 'ERR-3.3'),
    ]).toEqual([segment, field ?? '', outcome.error.hl7ErrorCode, 'HL70357']);
    expect(valueAt(ack, 'ERR-4')).toBe('E');
  });
});

describe('buildAck', () => {
  const discharge = headerOfBytes(sampleBytes('hl7v2/adt_a03_discharge.hl7'));
  const order24 = headerOfBytes(sampleBytes('hl7v2/orm_o01_new_order.hl7'));

  test('an AA is MSH and MSA, with the applications swapped and our time and control id', () => {
    expect(buildAck(discharge, { kind: 'accepted' }, OPTIONS)).toBe(
      'MSH|^~\\&|EVLOG|RXX01|PAS|RXX01|20260302143106+0000||ACK^A03^ACK|CEL-000001|P|2.5.1\rMSA|AA|100187\r',
    );
  });

  test('a v2.5.1 AE has ERR-2 location, ERR-3 code, ERR-4 severity, ERR-5 our kind and ERR-8 the reason', () => {
    const rejection: Rejection = {
      kind: 'invalid-nhs-number',
      location: 'PID-3',
      reason: 'NHS number fails the modulus 11 check',
    };
    expect(buildAck(discharge, { kind: 'rejected', rejection }, OPTIONS)).toBe(
      [
        'MSH|^~\\&|EVLOG|RXX01|PAS|RXX01|20260302143106+0000||ACK^A03^ACK|CEL-000001|P|2.5.1',
        'MSA|AE|100187|NHS number fails the modulus 11 check',
        'ERR||PID^1^3|102^Data type error^HL70357|E|invalid-nhs-number|||NHS number fails the modulus 11 check',
        '',
      ].join('\r'),
    );
  });

  test('a v2.4 AE puts location and code in ERR-1 (ELD)', () => {
    const rejection: Rejection = {
      kind: 'unknown-code-system',
      location: 'RXO[2]-1',
      reason: 'unknown coding system X',
    };
    expect(buildAck(order24, { kind: 'rejected', rejection }, OPTIONS)).toBe(
      [
        'MSH|^~\\&|EVLOG|RXX01|EPR|RXX01|20260302143106+0000||ACK^O01^ACK|CEL-000001|P|2.4',
        'MSA|AE|EPR000801|unknown coding system X',
        'ERR|RXO^2^1^103&Table value not found&HL70357',
        '',
      ].join('\r'),
    );
  });

  test('a missing segment is located by segment alone', () => {
    const rejection: Rejection = {
      kind: 'segment-missing',
      location: 'PID',
      reason: 'required segment PID is missing',
    };
    const ack = parsedAck(buildAck(discharge, { kind: 'rejected', rejection }, OPTIONS));
    expect([valueAt(ack, 'ERR-2.1'), valueAt(ack, 'ERR-2.2'), valueAt(ack, 'ERR-2.3')]).toEqual(['PID', '1', '']);
    expect(valueAt(ack, 'ERR-3.1')).toBe('100');
  });

  test('a location that is not an HL7 position leaves ERR-2 empty and keeps the reason', () => {
    const rejection: Rejection = { kind: 'invalid-structure', location: 'segment 3', reason: 'segment 3 has no id' };
    const ack = parsedAck(buildAck(discharge, { kind: 'rejected', rejection }, OPTIONS));
    expect([valueAt(ack, 'ERR-2'), valueAt(ack, 'ERR-3.1'), valueAt(ack, 'ERR-8')]).toEqual([
      '',
      '102',
      'segment 3 has no id',
    ]);
  });

  test('a duplicate is AA and says nothing new was stored', () => {
    const ack = parsedAck(buildAck(discharge, { kind: 'duplicate' }, OPTIONS));
    expect([valueAt(ack, 'MSA-1'), valueAt(ack, 'MSA-3')]).toEqual([
      'AA',
      'duplicate of an accepted message; nothing new stored',
    ]);
  });

  test('a parked message is AA and says it is held until the patient can be identified', () => {
    const ack = parsedAck(buildAck(discharge, { kind: 'parked', on: 'an NHS number for the RXX MRN' }, OPTIONS));
    expect(valueAt(ack, 'MSA-1')).toBe('AA');
    expect(valueAt(ack, 'MSA-3')).toMatch(/^held until the patient can be identified/);
    expect(ack.segments.map((segment) => segment.id)).toEqual(['MSH', 'MSA']);
  });

  test('an unavailable log is AR 207 and asks the sender to resend', () => {
    const ack = parsedAck(
      buildAck(discharge, { kind: 'unavailable', reason: 'Kafka did not acknowledge in time' }, OPTIONS),
    );
    expect([valueAt(ack, 'MSA-1'), valueAt(ack, 'ERR-3.1'), valueAt(ack, 'ERR-3.2'), valueAt(ack, 'ERR-4')]).toEqual([
      'AR',
      '207',
      'Application internal error',
      'E',
    ]);
    expect(valueAt(ack, 'MSA-3')).toMatch(/resend/);
    expect(valueAt(ack, 'ERR-8')).toBe('Kafka did not acknowledge in time');
  });

  test('a refused sender is AR 204 with ERR-5 undeclared-sender, and both texts say not to resend', () => {
    const ack = parsedAck(
      buildAck(
        discharge,
        { kind: 'refused-sender', location: 'MSH-3', reason: 'MSH-3/MSH-4 of another sender' },
        OPTIONS,
      ),
    );
    expect([
      valueAt(ack, 'MSA-1'),
      valueAt(ack, 'MSA-2'),
      valueAt(ack, 'ERR-2.1'),
      valueAt(ack, 'ERR-2.3'),
      valueAt(ack, 'ERR-3.1'),
      valueAt(ack, 'ERR-3.2'),
      valueAt(ack, 'ERR-5'),
    ]).toEqual(['AR', '100187', 'MSH', '3', '204', 'Unknown key identifier', 'undeclared-sender']);
    expect(valueAt(ack, 'MSA-3')).toBe('not a declared sender: do not resend, ask the receiving team');
    expect(valueAt(ack, 'ERR-8')).toMatch(/^not a declared sender: do not resend, ask the receiving team \(MSH-3/);
  });

  test('with no readable request: our defaults and an empty MSA-2', () => {
    const rejection: Rejection = { kind: 'unparseable', location: 'MSH-2', reason: 'bad encoding characters' };
    expect(buildAck(undefined, { kind: 'rejected', rejection }, OPTIONS)).toBe(
      [
        'MSH|^~\\&|CEL||||20260302143106+0000||ACK^^ACK|CEL-000001|P|2.5.1',
        'MSA|AR||bad encoding characters',
        'ERR||MSH^1^2|102^Data type error^HL70357|E|unparseable|||bad encoding characters',
        '',
      ].join('\r'),
    );
  });

  test("the request's own delimiters are used, and values that contain them are escaped", () => {
    const lines = sampleLines('hl7v2/adt_a03_discharge.hl7').map((line) =>
      line.replaceAll('|', '!').replaceAll('^', '#').replace('MSH!#~\\&!', 'MSH!#~\\&!'),
    );
    const request = headerOfBytes(hl7Bytes(lines));
    expect(request?.encoding.field).toBe('!');
    const reason = 'a reason with ! and # and | and ^ and \\ inside';
    const text = buildAck(
      request,
      { kind: 'rejected', rejection: { kind: 'invalid-value', location: 'PV1-44', reason } },
      OPTIONS,
    );
    expect(text.startsWith('MSH!#~\\&!EVLOG!RXX01!PAS!RXX01!')).toBe(true);
    const ack = parsedAck(text);
    expect([valueAt(ack, 'MSA-2'), valueAt(ack, 'ERR-2.1'), valueAt(ack, 'ERR-2.3'), valueAt(ack, 'ERR-8')]).toEqual([
      '100187',
      'PV1',
      '44',
      reason,
    ]);
  });

  test('a control id with a delimiter is echoed escaped and reads back as sent', () => {
    const lines = sampleLines('hl7v2/adt_a03_discharge.hl7').map((line) =>
      line.startsWith('MSH|') ? line.replace('|100187|', '|10\\T\\01|') : line,
    );
    const ack = parsedAck(buildAck(headerOfBytes(hl7Bytes(lines)), { kind: 'accepted' }, OPTIONS));
    expect(valueAt(ack, 'MSA-2')).toBe('10&01');
  });

  test('an ACK that echoes non-ASCII text declares UTF-8 in MSH-18, and reads back as sent', () => {
    const reason = 'unknown coding system SNOMÉD';
    const text = buildAck(
      discharge,
      { kind: 'rejected', rejection: { kind: 'unknown-code-system', location: 'DG1-3', reason } },
      OPTIONS,
    );
    const ack = parsedAck(text);
    expect([valueAt(ack, 'MSH-18'), valueAt(ack, 'ERR-8')]).toEqual(['UNICODE UTF-8', reason]);
    expect(valueAt(parsedAck(buildAck(discharge, { kind: 'accepted' }, OPTIONS)), 'MSH-18')).toBe('');
  });

  test('processing id and version are echoed from the request', () => {
    const lines = sampleLines('hl7v2/adt_a03_discharge.hl7').map((line) =>
      line.startsWith('MSH|') ? line.replace('|P|2.5.1|', '|T|2.3|') : line,
    );
    const ack = parsedAck(buildAck(headerOfBytes(hl7Bytes(lines)), { kind: 'accepted' }, OPTIONS));
    expect([valueAt(ack, 'MSH-11'), valueAt(ack, 'MSH-12')]).toEqual(['T', '2.3']);
  });

  test('a long reason is cut to 80 characters in MSA-3 and kept to 250 in ERR-8', () => {
    const reason = 'x'.repeat(300);
    const ack = parsedAck(
      buildAck(
        discharge,
        { kind: 'rejected', rejection: { kind: 'invalid-value', location: 'PV1-44', reason } },
        OPTIONS,
      ),
    );
    expect([valueAt(ack, 'MSA-3').length, valueAt(ack, 'ERR-8').length]).toEqual([80, 250]);
  });

  test.each(rejectionKinds.map((kind) => ({ kind })))('$kind: a parseable ACK with its rule', ({ kind }) => {
    const rule = ackRules[kind];
    const ack = parsedAck(
      buildAck(discharge, { kind: 'rejected', rejection: { kind, location: 'PV1-45', reason: 'r' } }, OPTIONS),
    );
    expect([valueAt(ack, 'MSA-1'), valueAt(ack, 'ERR-3.1'), valueAt(ack, 'ERR-3.2')]).toEqual([
      rule.ack,
      rule.hl7ErrorCode,
      hl7ErrorTexts[rule.hl7ErrorCode],
    ]);
  });
});

describe('ackRules', () => {
  test('AR only where the content is not at fault: unreadable MSH, unsupported type or version', () => {
    const ar = rejectionKinds.filter((kind) => ackRules[kind].ack === 'AR');
    expect(ar).toEqual(['unparseable', 'unsupported-message-type', 'unsupported-version']);
  });

  test('codes follow HL7 table 0357', () => {
    expect(ackRules['unsupported-message-type'].hl7ErrorCode).toBe('200');
    expect(ackRules['unsupported-version'].hl7ErrorCode).toBe('203');
    expect(ackRules['segment-missing'].hl7ErrorCode).toBe('100');
    expect(ackRules['required-field-missing'].hl7ErrorCode).toBe('101');
    expect(ackRules['invalid-nhs-number'].hl7ErrorCode).toBe('102');
    expect(ackRules['unknown-code-system'].hl7ErrorCode).toBe('103');
    expect(ackRules['unsupported-order-control'].hl7ErrorCode).toBe('103');
  });
});
