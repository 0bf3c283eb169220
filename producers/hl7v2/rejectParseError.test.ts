import { describe, expect, test } from 'vitest';
import { hl7Bytes } from '../../test/support/hl7Lines.js';
import { ackRules } from './buildAck.js';
import { parseHl7 } from './parseHl7.js';
import { rejectParseError } from './rejectParseError.js';

const msh = 'MSH|^~\\&|PAS|RXX01|EVLOG|RXX01|20260304|SEC|ADT^A03^ADT_A03|100999|P|2.5.1';
const latin1 = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));

const rejectionOf = (bytes: Uint8Array) => {
  const parsed = parseHl7(bytes);
  return parsed.ok ? undefined : rejectParseError(parsed.error);
};

describe('rejectParseError', () => {
  test.each([
    { name: 'no MSH', bytes: hl7Bytes(['PID|1']), kind: 'unparseable', location: 'MSH', ack: 'AR' },
    {
      name: 'MSH-2 not four distinct characters',
      bytes: hl7Bytes(['MSH|^^^^|PAS']),
      kind: 'unparseable',
      location: 'MSH-2',
      ack: 'AR',
    },
    {
      name: 'no MSH-10',
      bytes: hl7Bytes(['MSH|^~\\&|PAS|RXX01|EVLOG|RXX01|20260304||ADT^A03||P|2.5.1']),
      kind: 'unparseable',
      location: 'MSH-10',
      ack: 'AR',
    },
    {
      name: 'an unknown charset',
      bytes: hl7Bytes([`${msh}||||||EBCDIC`]),
      kind: 'unparseable',
      location: 'MSH-18',
      ack: 'AR',
    },
    {
      name: 'bytes that are not UTF-8 in a UTF-8 message',
      bytes: latin1(`${msh}||||||UNICODE UTF-8\rPID|1||é\r`),
      kind: 'invalid-structure',
      location: 'MSH-18',
      ack: 'AE',
    },
    {
      name: 'a bad segment id',
      bytes: hl7Bytes([msh, 'pid|1']),
      kind: 'invalid-structure',
      location: 'segment 2',
      ack: 'AE',
    },
    {
      name: 'a bad escape',
      bytes: hl7Bytes([msh, 'OBX|1|TX|||C:\\temp']),
      kind: 'invalid-structure',
      location: 'OBX-5',
      ack: 'AE',
    },
  ])('$name: $kind at $location, answered $ack', ({ bytes, kind, location, ack }) => {
    const rejection = rejectionOf(bytes);
    expect(rejection).toMatchObject({ kind, location });
    expect(rejection === undefined ? undefined : ackRules[rejection.kind].ack).toBe(ack);
  });

  test('the sample with unusable encoding characters is AR 102 at MSH-2', () => {
    const rejection = rejectionOf(
      hl7Bytes(['MSH|^^^^|PAS|RXX01|EVLOG|RXX01|20260304173000+0000||ADT^A03^ADT_A03|100999|P|2.5.1']),
    );
    expect(rejection === undefined ? undefined : { ...ackRules[rejection.kind], location: rejection.location }).toEqual(
      {
        ack: 'AR',
        hl7ErrorCode: '102',
        severity: 'E',
        location: 'MSH-2',
      },
    );
  });
});
