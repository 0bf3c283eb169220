import { readdirSync, readFileSync } from 'node:fs';
import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { readHl7Header } from './readHl7Header.js';

const samplesDir = new URL('../../test/samples/', import.meta.url);
const latin1 = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));

type SourceIdentity = { sendingApplication: string; sendingFacility: string; controlId: string } | null;

const identities = readdirSync(new URL('expected/', samplesDir))
  .map((file) => JSON.parse(readFileSync(new URL(`expected/${file}`, samplesDir), 'utf8')) as unknown)
  .map((expected) => expected as { input: string; channel: string; sourceIdentity: SourceIdentity })
  .filter((expected) => expected.channel === 'hl7v2')
  .map(({ input, sourceIdentity }) => ({ name: input, input, sourceIdentity }));

describe('readHl7Header', () => {
  test('every HL7 sample has an expected source identity', () => {
    expect(identities).toHaveLength(20);
  });

  test.each(identities)('$name gives the expected source identity', ({ input, sourceIdentity }) => {
    const header = readHl7Header(readFileSync(new URL(input, samplesDir)));
    const identity = header.ok
      ? {
          sendingApplication: header.value.sendingApplication,
          sendingFacility: header.value.sendingFacility,
          controlId: header.value.controlId,
        }
      : null;
    expect(identity).toEqual(sourceIdentity);
  });

  test('reads every fact an ACK needs', () => {
    const header = readHl7Header(readFileSync(new URL('hl7v2/adt_a03_utf8.hl7', samplesDir)));
    expect(header).toEqual({
      ok: true,
      value: {
        encoding: { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' },
        sendingApplication: 'PAS',
        sendingFacility: 'RXX01',
        receivingApplication: 'EVLOG',
        receivingFacility: 'RXX01',
        messageCode: 'ADT',
        triggerEvent: 'A03',
        messageStructure: 'ADT_A03',
        controlId: '100415',
        processingId: 'P',
        version: '2.5.1',
        acceptAckType: '',
        applicationAckType: '',
        charset: 'UNICODE UTF-8',
      },
    });
  });

  const msh = 'MSH|^~\\&|PAS|RXX01|EVLOG|RXX01|20260304|SEC|ADT^A03^ADT_A03|100999|P|2.5.1';
  test.each([
    { name: 'a bad escape in the body', raw: latin1(`${msh}\rOBX|1|TX|||C:\\temp\r`) },
    { name: 'a bad segment id in the body', raw: latin1(`${msh}\rpid|1\r`) },
    { name: 'an unsupported charset', raw: latin1(`${msh}||||||UNICODE UTF-16\rPID|1\r`) },
    {
      name: 'invalid UTF-8 in the body',
      raw: Uint8Array.from([...latin1(`${msh}||||||UNICODE UTF-8\rPID|1||||`), 0xe9, 0x0d]),
    },
    { name: 'a bad escape in MSH-4.2', raw: latin1(`MSH|^~\\&|PAS|RXX01^C:\\x|||||ADT^A03|100999|P|2.5.1\r`) },
  ])('still reads MSH-10 when the message has $name', ({ raw }) => {
    const header = readHl7Header(raw);
    expect(header.ok && [header.value.sendingApplication, header.value.controlId]).toEqual(['PAS', '100999']);
  });

  test('decodes escapes in the header values', () => {
    const header = readHl7Header(latin1('MSH|^~\\&|P\\T\\S|RXX01|||||ADT^A03|ID\\F\\1|P|2.5.1\r'));
    expect(header.ok && [header.value.sendingApplication, header.value.controlId]).toEqual(['P&S', 'ID|1']);
  });

  test('reads MSH-3 in the declared charset', () => {
    const header = readHl7Header(new TextEncoder().encode('MSH|^~\\&|YSBYTY-Ŷ|RXX01||||||1|P|2.5.1||||||UTF-8\r'));
    expect(header.ok && header.value.sendingApplication).toBe('YSBYTY-Ŷ');
  });

  test('reads an empty MSH-10 as empty, so MSA-2 can be left empty', () => {
    const header = readHl7Header(latin1('MSH|^~\\&|PAS|RXX01|||||ADT^A03||P|2.5.1\r'));
    expect(header.ok && header.value.controlId).toBe('');
  });

  test.each([
    { name: 'no MSH', raw: latin1('PID|1\r'), error: { kind: 'no-msh-segment' } },
    {
      name: 'repeated encoding characters',
      raw: latin1('MSH|^^^^|PAS\r'),
      error: { kind: 'bad-encoding-characters', found: '|^^^^' },
    },
  ])('fails on $name', ({ raw, error }) => {
    expect(readHl7Header(raw)).toEqual({ ok: false, error });
  });

  propTest.prop([fc.uint8Array({ maxLength: 300 })])('returns a result for any bytes after MSH|^~\\&|', (tail) => {
    const header = readHl7Header(Uint8Array.from([...latin1('MSH|^~\\&|'), ...tail]));
    expect(header.ok && typeof header.value.controlId).toBe('string');
  });
});
