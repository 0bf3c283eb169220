import { describe, expect, test } from 'vitest';
import {
  checkMllpSender,
  developmentSenders,
  type MllpPeer,
  type MllpSenders,
  parseMllpSenders,
  parseSubject,
} from './mllpSenders.js';

const FILE = {
  senders: [
    {
      name: 'pas',
      addresses: ['10.0.0.5', '127.0.0.1'],
      sendingApplications: ['PAS'],
      sendingFacilities: ['RXX01'],
    },
    {
      name: 'pharmacy',
      certificateSubjects: ['CN=pharmacy.trust.nhs.uk'],
      sendingApplications: ['EPMA', 'RXO'],
    },
    {
      name: 'lab',
      addresses: ['10.0.0.9'],
      certificateSubjects: ['CN=lab.trust.nhs.uk, O=Trust'],
      sendingApplications: ['LIMS'],
      sendingFacilities: ['RXX01', 'RXX02'],
    },
  ],
};

function senders(file: unknown = FILE): MllpSenders {
  const parsed = parseMllpSenders(JSON.stringify(file));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

const plain = (address: string): MllpPeer => ({ transport: 'plain', address, certificateSubject: undefined });
const tls = (address: string, subject?: Record<string, string>): MllpPeer => ({
  transport: 'tls',
  address,
  certificateSubject: subject,
});
const claim = (sendingApplication: string, sendingFacility: string) => ({ sendingApplication, sendingFacility });

describe('parseMllpSenders', () => {
  test('reads the senders, addresses normalised and subjects as attributes', () => {
    const parsed = senders({
      senders: [{ name: 'pas', addresses: ['::FFFF:10.0.0.5'], certificateSubjects: ['cn = pas.trust.nhs.uk'] }],
    });
    expect(parsed).toEqual({
      kind: 'declared',
      senders: [
        {
          name: 'pas',
          addresses: ['10.0.0.5'],
          certificateSubjects: [[{ key: 'CN', value: 'pas.trust.nhs.uk' }]],
          sendingApplications: undefined,
          sendingFacilities: undefined,
        },
      ],
    });
  });

  test.each([
    { name: 'not JSON', text: '{', problem: /^not JSON/ },
    { name: 'no senders', text: '{}', problem: /senders/ },
    {
      name: 'a sender identified by nothing',
      text: JSON.stringify({ senders: [{ name: 'pas', sendingApplications: ['PAS'] }] }),
      problem: /^\/senders\/0 \(sender "pas"\): must declare addresses or certificateSubjects/,
    },
    {
      name: 'an unknown property',
      text: JSON.stringify({ senders: [{ name: 'pas', addresses: ['10.0.0.5'], facility: 'X' }] }),
      problem: /^\/senders\/0 \(sender "pas"\): unknown property "facility"/,
    },
    {
      name: 'an empty list',
      text: JSON.stringify({ senders: [{ name: 'pas', addresses: [] }] }),
      problem: /^\/senders\/0\/addresses \(sender "pas"\)/,
    },
    {
      name: 'an address that is not an IP address',
      text: JSON.stringify({
        senders: [
          { name: 'ok', addresses: ['10.0.0.1'] },
          { name: 'pas', addresses: ['pas.local'] },
        ],
      }),
      problem: /^\/senders\/1 \(sender "pas"\): "pas.local" is not an IP address/,
    },
    {
      name: 'a subject that is not key=value',
      text: JSON.stringify({ senders: [{ name: 'pas', certificateSubjects: ['pas.trust.nhs.uk'] }] }),
      problem: /^\/senders\/0 \(sender "pas"\): "pas.trust.nhs.uk" is not a certificate subject/,
    },
    {
      name: 'a name used twice',
      text: JSON.stringify({
        senders: [
          { name: 'pas', addresses: ['10.0.0.1'] },
          { name: 'pas', addresses: ['10.0.0.2'] },
        ],
      }),
      problem: /^\/senders\/1 \(sender "pas"\): the name is used by an earlier sender/,
    },
    {
      name: 'an MSH-3/MSH-4 pair claimed twice',
      text: JSON.stringify({
        senders: [
          { name: 'pas', addresses: ['10.0.0.1'], sendingApplications: ['PAS'], sendingFacilities: ['RXX01'] },
          { name: 'pas-dr', addresses: ['10.0.0.2'], sendingApplications: ['PAS'], sendingFacilities: ['RXX01'] },
        ],
      }),
      problem:
        /^\/senders\/1 \(sender "pas-dr"\): sending application "PAS" at facility "RXX01" is already claimed by sender "pas"/,
    },
  ])('$name is refused, naming the entry', ({ text, problem }) => {
    const parsed = parseMllpSenders(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(problem);
  });

  test('parseSubject reads comma- or slash-separated attributes, and refuses anything else', () => {
    expect(parseSubject('/CN=a/O=b')).toEqual([
      { key: 'CN', value: 'a' },
      { key: 'O', value: 'b' },
    ]);
    expect(parseSubject('')).toBeUndefined();
    expect(parseSubject('CN')).toBeUndefined();
  });
});

describe('checkMllpSender', () => {
  test('a declared address may send its own MSH-3/MSH-4, plain or over TLS', () => {
    expect(checkMllpSender(senders(), plain('10.0.0.5'), claim('PAS', 'RXX01'))).toEqual({
      kind: 'allowed',
      sender: 'pas',
    });
    expect(checkMllpSender(senders(), tls('10.0.0.5'), claim('PAS', 'RXX01'))).toMatchObject({ kind: 'allowed' });
  });

  test('an address no sender declares is an undeclared peer, whatever it claims', () => {
    expect(checkMllpSender(senders(), plain('10.0.0.6'), claim('PAS', 'RXX01'))).toEqual({ kind: 'undeclared-peer' });
  });

  test("a declared peer claiming another sender's MSH-3 is refused at MSH-3, naming the owner", () => {
    expect(checkMllpSender(senders(), plain('10.0.0.5'), claim('EPMA', 'RXX01'))).toEqual({
      kind: 'unclaimable',
      senders: ['pas'],
      owner: 'pharmacy',
      location: 'MSH-3',
    });
  });

  test('its own MSH-3 at a facility it does not send for is refused at MSH-4', () => {
    expect(checkMllpSender(senders(), plain('10.0.0.5'), claim('PAS', 'RXX99'))).toEqual({
      kind: 'unclaimable',
      senders: ['pas'],
      owner: undefined,
      location: 'MSH-4',
    });
  });

  test('a certificate subject identifies a sender only over TLS, with the subject verified', () => {
    const subject = { CN: 'pharmacy.trust.nhs.uk', O: 'Trust' };
    expect(checkMllpSender(senders(), tls('192.0.2.1', subject), claim('EPMA', 'ANY'))).toEqual({
      kind: 'allowed',
      sender: 'pharmacy',
    });
    expect(checkMllpSender(senders(), tls('192.0.2.1'), claim('EPMA', 'ANY'))).toEqual({ kind: 'undeclared-peer' });
    expect(checkMllpSender(senders(), tls('192.0.2.1', { CN: 'other' }), claim('EPMA', 'ANY'))).toEqual({
      kind: 'undeclared-peer',
    });
  });

  test('a sender declaring address and subject needs both', () => {
    const subject = { CN: 'lab.trust.nhs.uk', O: 'Trust' };
    expect(checkMllpSender(senders(), tls('10.0.0.9', subject), claim('LIMS', 'RXX02'))).toMatchObject({
      kind: 'allowed',
    });
    expect(checkMllpSender(senders(), tls('10.0.0.8', subject), claim('LIMS', 'RXX02'))).toEqual({
      kind: 'undeclared-peer',
    });
    expect(checkMllpSender(senders(), plain('10.0.0.9'), claim('LIMS', 'RXX02'))).toEqual({ kind: 'undeclared-peer' });
    expect(
      checkMllpSender(senders(), tls('10.0.0.9', { CN: 'lab.trust.nhs.uk', O: 'Other' }), claim('LIMS', 'RXX02')),
    ).toEqual({ kind: 'undeclared-peer' });
  });

  test('with no senders file, any MSH-3/MSH-4 over the plain listener, nothing over TLS', () => {
    expect(checkMllpSender(developmentSenders, plain('127.0.0.1'), claim('ANY', 'THING'))).toEqual({
      kind: 'allowed',
      sender: 'development',
    });
    expect(checkMllpSender(developmentSenders, tls('127.0.0.1'), claim('ANY', 'THING'))).toEqual({
      kind: 'undeclared-peer',
    });
  });
});
