/**
 * Bad input end to end: malformed, oversized, binary and slow MLLP senders and bad HTTP
 * requests each get their specific answer, the listener stays up for the next good message,
 * and every refused input that reached the pipeline is kept with its reason and its raw receipt.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as pace } from 'node:timers/promises';
import { describe, expect } from 'vitest';
import { createKafkaClient } from '../../platform/kafka.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  END_BLOCK,
  feedMllp,
  initialMllpState,
  START_BLOCK,
} from '../../producers/hl7v2/mllpFrameDecoder.js';
import { topicNames } from '../../schemas/topics.js';
import { errOf, mllpFrame, msaOf, openMllp, openRawMllp, type RawMllpConnection } from '../support/mllpClient.js';
import { toNeutral } from '../support/neutralEvent.js';
import { sampleBytes } from '../support/samples.js';
import {
  deliverSample,
  readCanonicalEvents,
  type ServiceUnderTest,
  serviceTestWith,
  serviceTest as test,
} from '../support/serviceUnderTest.js';
import { kafkaConnectionFor } from '../support/testKafka.js';
import { fetchWithRole } from '../support/tokens.js';

const ORDER = Buffer.from(sampleBytes('hl7v2/orm_o01_new_order.hl7')).toString('latin1');

/** The new-order sample as a message of its own: its own MSH-10 and order number, so it adds its own event. */
function orderMessage(id: string): Buffer {
  return Buffer.from(ORDER.replace('|EPR000801|', `|${id}|`).replace('|ORD5001^', `|${id}^`), 'latin1');
}

/** Waits until the connection has `count` replies in all; returns their MSA-1 and MSA-2. */
async function answersOn(connection: RawMllpConnection, count: number) {
  await expect
    .poll(() => connection.replies().length, { timeout: 10_000, message: `${count} ACKs on the connection` })
    .toBeGreaterThanOrEqual(count);
  return connection.replies().map(msaOf);
}

/** The connection, after whatever came before, still answers a good message with AA. */
async function expectGoodMessageAccepted(connection: RawMllpConnection, id: string): Promise<void> {
  const before = connection.replies().length;
  await connection.write(mllpFrame(orderMessage(id)));
  expect((await answersOn(connection, before + 1)).slice(before)).toEqual([{ code: 'AA', controlId: id }]);
}

/** A new connection to the same listener gets AA for a good message. */
async function expectListenerAccepts(service: ServiceUnderTest, id: string): Promise<void> {
  const client = await openMllp(service.mllpPort);
  try {
    expect(msaOf(await client.send(orderMessage(id)))).toEqual({ code: 'AA', controlId: id });
  } finally {
    client.close();
  }
}

const VT = Buffer.from([START_BLOCK]);
const FS = Buffer.from([END_BLOCK]);
const AA = (controlId: string) => ({ code: 'AA', controlId });
/** AR with MSA-2 empty: the MSH could not be read, so there is no control id to echo. */
const AR_UNREADABLE = { code: 'AR', controlId: '' };

describe('malformed MLLP frames', () => {
  test.for([
    {
      name: 'bytes before the start block are skipped',
      bytes: Buffer.concat([Buffer.from('GET / HTTP/1.1\r\n\r\n'), mllpFrame(orderMessage('JUNK1'))]),
      answers: [AA('JUNK1')],
    },
    {
      name: 'a frame that is not HL7 is refused with AR',
      bytes: mllpFrame('hello'),
      answers: [AR_UNREADABLE],
    },
    {
      name: 'an end block without its CR still ends the frame, without waiting for another byte',
      bytes: Buffer.concat([VT, orderMessage('NOCR1'), FS]),
      answers: [AA('NOCR1')],
    },
    {
      name: 'a second start block restarts the frame and the partial one is dropped',
      bytes: Buffer.concat([
        VT,
        Buffer.from('MSH|^~\\&|EPR|RXX01|EVLOG|RXX01|2026'),
        mllpFrame(orderMessage('RESTART1')),
      ]),
      answers: [AA('RESTART1')],
    },
    {
      name: 'several frames in one write are answered in order',
      bytes: Buffer.concat([
        mllpFrame(orderMessage('MANY1')),
        mllpFrame('hello'),
        mllpFrame(orderMessage('MANY2')),
        mllpFrame(orderMessage('MANY3')),
      ]),
      answers: [AA('MANY1'), AR_UNREADABLE, AA('MANY2'), AA('MANY3')],
    },
  ])('$name; the connection then takes a good message', async ({ bytes, answers }, { service }) => {
    const connection = await openRawMllp(service.mllpPort);
    try {
      await connection.write(bytes);
      expect(await answersOn(connection, answers.length)).toEqual(answers);
      await expectGoodMessageAccepted(connection, 'AFTER1');
    } finally {
      connection.close();
    }
  });
});

describe('MLLP streams', () => {
  test('a frame written one byte at a time is answered once', async ({ service }) => {
    const connection = await openRawMllp(service.mllpPort);
    try {
      for (const byte of mllpFrame(orderMessage('BYTE1'))) await connection.write(Uint8Array.of(byte));
      expect(await answersOn(connection, 1)).toEqual([AA('BYTE1')]);
      await expectGoodMessageAccepted(connection, 'AFTER1');
    } finally {
      connection.close();
    }
  });

  test('a sender that half-closes after its message still gets the ACK, then the server closes', async ({
    service,
  }) => {
    const connection = await openRawMllp(service.mllpPort);
    try {
      await connection.write(mllpFrame(orderMessage('HALF1')));
      connection.end();
      expect(await answersOn(connection, 1)).toEqual([AA('HALF1')]);
      await expect.poll(() => connection.closed(), { timeout: 5_000 }).toBe(true);
    } finally {
      connection.close();
    }
  });

  test('50 connections at once, each with its own message, all get AA for their own control id', async ({
    service,
  }) => {
    const ids = Array.from({ length: 50 }, (_, i) => `CONC${i}`);
    const answers = await Promise.all(
      ids.map(async (id) => {
        const client = await openMllp(service.mllpPort);
        try {
          return msaOf(await client.send(orderMessage(id)));
        } finally {
          client.close();
        }
      }),
    );
    expect(answers).toEqual(ids.map(AA));
    const orderIds = (await readCanonicalEvents(service)).map((event) => toNeutral(event).orderId);
    expect(orderIds.sort()).toEqual([...ids].sort());
  });
});

const smallFramesTest = serviceTestWith({ MLLP_MAX_FRAME_BYTES: '2048' });

describe('an oversized frame', () => {
  smallFramesTest(
    'is refused with AR naming the limit, and the next message on the connection is processed',
    async ({ service }) => {
      const big = Buffer.concat([orderMessage('BIG1'), Buffer.from(`NTE|1||${'x'.repeat(4000)}\r`)]);
      const connection = await openRawMllp(service.mllpPort);
      try {
        await connection.write(mllpFrame(big));
        expect(await answersOn(connection, 1)).toEqual([AR_UNREADABLE]);
        expect(errOf(connection.replies()[0] ?? '')).toContain('maximum frame size of 2048 bytes');
        await expectGoodMessageAccepted(connection, 'AFTER1');
      } finally {
        connection.close();
      }
    },
  );
});

/** Random bytes with every VT and FS replaced, so none of them frames anything. */
function unframed(bytes: Buffer): Buffer {
  return Buffer.from(bytes.map((byte) => (byte === START_BLOCK || byte === END_BLOCK ? 0x20 : byte)));
}

describe('binary junk', () => {
  test.for([
    { name: 'without framing bytes', junk: () => unframed(randomBytes(64 * 1024)) },
    { name: 'with framing bytes', junk: () => randomBytes(64 * 1024) },
  ])(
    '64 KiB of random bytes $name: each frame in them is refused, and the listener stays up',
    async ({ junk }, { service }) => {
      const bytes = junk();
      const good = mllpFrame(orderMessage('AFTER1'));
      // The decoder is pure: what it makes of the same bytes is what the listener must answer.
      const frames = feedMllp(initialMllpState(DEFAULT_MAX_FRAME_BYTES), Buffer.concat([bytes, good])).frames.length;
      const connection = await openRawMllp(service.mllpPort);
      try {
        await connection.write(bytes);
        await connection.write(good);
        const answers = await answersOn(connection, frames);
        expect(answers).toHaveLength(frames);
        expect(answers.slice(0, -1).filter((answer) => answer.code !== 'AR' && answer.code !== 'AE')).toEqual([]);
        expect(answers.at(-1)).toEqual(AA('AFTER1'));
      } finally {
        connection.close();
      }
      await expectListenerAccepts(service, 'AFTER2');
    },
  );
});

const quickTimeoutsTest = serviceTestWith({ MLLP_FRAME_TIMEOUT_MS: '2000', MLLP_IDLE_TIMEOUT_MS: '1000' });

describe('slow and silent senders', () => {
  quickTimeoutsTest(
    'a sender that trickles a frame is cut off after MLLP_FRAME_TIMEOUT_MS; other connections keep working',
    async ({ service }) => {
      const slow = await openRawMllp(service.mllpPort);
      try {
        await slow.write(Buffer.concat([VT, Buffer.from('MSH|^~\\&|')]));
        const trickling = trickle(slow, 'EPR|RXX01|EVLOG|RXX01|20260302090012||ORM^O01|SLOW1|P|2.4', 10_000);
        await expectListenerAccepts(service, 'OTHER1');
        expect(slow.closed()).toBe(false);
        await expect.poll(() => slow.closed(), { timeout: 8_000, message: 'the slow connection closed' }).toBe(true);
        await trickling;
        expect(slow.replies()).toEqual([]);
        await expectListenerAccepts(service, 'OTHER2');
      } finally {
        slow.close();
      }
    },
  );

  quickTimeoutsTest(
    'a sender streaming frames back to back, a frame open after every write, is not cut off',
    async ({ service }) => {
      const ids = Array.from({ length: 12 }, (_, i) => `STREAM${i}`);
      const frames = ids.map((id) => mllpFrame(orderMessage(id)));
      const half = (frame: Buffer) => Math.floor(frame.length / 2);
      // Write k carries the second half of frame k-1 and the first half of frame k.
      const writes = [...frames, undefined].map((frame, k) => {
        const previous = frames[k - 1];
        return Buffer.concat([
          previous === undefined ? Buffer.alloc(0) : previous.subarray(half(previous)),
          frame === undefined ? Buffer.alloc(0) : frame.subarray(0, half(frame)),
        ]);
      });
      const connection = await openRawMllp(service.mllpPort);
      try {
        for (const bytes of writes) {
          // The sender's pace: 13 writes take longer than MLLP_FRAME_TIMEOUT_MS, and none is silent for the idle timeout.
          await pace(250);
          await connection.write(bytes);
        }
        expect(await answersOn(connection, ids.length)).toEqual(ids.map(AA));
        expect(connection.closed()).toBe(false);
      } finally {
        connection.close();
      }
    },
  );

  quickTimeoutsTest(
    'a silent connection is closed after MLLP_IDLE_TIMEOUT_MS, while a busy one stays open',
    async ({ service }) => {
      const silent = await openRawMllp(service.mllpPort);
      const busy = await openRawMllp(service.mllpPort);
      try {
        for (let i = 0; i < 8; i++) {
          // The busy sender's pace: a message every 300 ms, never silent for the idle timeout.
          await pace(300);
          await expectGoodMessageAccepted(busy, `BUSY${i}`);
        }
        await expect
          .poll(() => silent.closed(), { timeout: 5_000, message: 'the silent connection closed' })
          .toBe(true);
        expect(busy.closed()).toBe(false);
        expect(silent.replies()).toEqual([]);
      } finally {
        silent.close();
        busy.close();
      }
    },
  );
});

/** Writes one byte of `text` every 250 ms, cycling, until the connection closes or `forMs` has passed. */
async function trickle(connection: RawMllpConnection, text: string, forMs: number): Promise<void> {
  const until = Date.now() + forMs;
  for (let i = 0; !connection.closed() && Date.now() < until; i++) {
    await pace(250); // the slow sender's pace, not a wait for the server
    // A write racing the server's close fails; `closed()` is what the test asserts on.
    await connection.write(text.charAt(i % text.length)).catch(() => undefined);
  }
}

const FHIR_JSON = 'application/fhir+json';
const PROBLEM_JSON = 'application/problem+json';
const sampleText = (file: string): string => Buffer.from(sampleBytes(file)).toString('utf8');
const operationOutcome = (code: string) => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code }] });
/** Every error under /fhir is an OperationOutcome; the project's problem code is its issue's detail coding. */
const fhirProblem = (code: string, problemCode: string) => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code, details: { coding: [expect.objectContaining({ code: problemCode })] } }],
});

async function post(service: ServiceUnderTest, path: string, contentType: string, body: string) {
  const response = await fetchWithRole(`${service.httpUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  return {
    status: response.status,
    type: response.headers.get('content-type')?.split(';')[0],
    body: (await response.json()) as unknown,
  };
}

describe('bad HTTP requests', () => {
  test.for([
    {
      name: 'invalid JSON to /events',
      path: '/events',
      contentType: 'application/json',
      body: '{"type": "DiagnosisRecorded",',
      status: 400,
      type: PROBLEM_JSON,
      answer: { code: 'CEL_ERR_UNPARSEABLE', location: '/' },
    },
    {
      name: 'invalid JSON to /fhir/Condition',
      path: '/fhir/Condition',
      contentType: FHIR_JSON,
      body: '{"resourceType": "Condition",',
      status: 400,
      type: FHIR_JSON,
      answer: operationOutcome('structure'),
    },
    {
      name: 'an Observation to /fhir/Condition',
      path: '/fhir/Condition',
      contentType: FHIR_JSON,
      body: sampleText('fhir/bad_wrong_resource_type.json'),
      status: 400,
      type: FHIR_JSON,
      answer: operationOutcome('not-supported'),
    },
    {
      name: 'a transaction Bundle to /fhir/Condition',
      path: '/fhir/Condition',
      contentType: FHIR_JSON,
      body: sampleText('fhir/bundle_transaction.json'),
      status: 400,
      type: FHIR_JSON,
      answer: operationOutcome('not-supported'),
    },
    {
      name: 'an unknown route',
      path: '/fhir/Patient',
      contentType: FHIR_JSON,
      body: '{"resourceType": "Patient"}',
      status: 404,
      type: FHIR_JSON,
      answer: fhirProblem('not-found', 'CEL_ERR_NOT_FOUND'),
    },
    {
      name: 'text to /events',
      path: '/events',
      contentType: 'text/plain',
      body: sampleText('json/diagnosis_event.json'),
      status: 415,
      type: PROBLEM_JSON,
      answer: { code: 'CEL_ERR_UNSUPPORTED_MEDIA_TYPE' },
    },
    {
      name: 'text to /fhir/Condition',
      path: '/fhir/Condition',
      contentType: 'text/plain',
      body: sampleText('fhir/condition_confirmed.json'),
      status: 415,
      type: FHIR_JSON,
      answer: fhirProblem('not-supported', 'CEL_ERR_UNSUPPORTED_MEDIA_TYPE'),
    },
    {
      name: 'XML to /fhir/Condition',
      path: '/fhir/Condition',
      contentType: 'application/fhir+xml',
      body: '<Condition xmlns="http://hl7.org/fhir"/>',
      status: 415,
      type: FHIR_JSON,
      answer: fhirProblem('not-supported', 'CEL_ERR_UNSUPPORTED_MEDIA_TYPE'),
    },
  ])(
    '$name: $status, and good requests are still taken',
    async ({ path, contentType, body, status, type, answer }, { service }) => {
      const response = await post(service, path, contentType, body);
      expect({ status: response.status, type: response.type }).toEqual({ status, type });
      expect(response.body).toMatchObject(answer);
      expect((await deliverSample(service, 'json/diagnosis_event.json')).httpStatus).toBe(201);
      expect((await deliverSample(service, 'fhir/condition_confirmed.json')).httpStatus).toBe(201);
    },
  );
});

type HeldView = { id: number; endpoint: string; reasonCode: string; bytes: number; correlationId: string };

/** Records on the service's raw-receipts topic: one per input that reached the pipeline. */
async function rawReceiptCount(service: ServiceUnderTest): Promise<number> {
  const admin = createKafkaClient({
    ...(await kafkaConnectionFor(service.brokers)).connection,
    clientId: 'e2e-raw-count',
  }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topicNames(service.namespace).raw);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

describe('nothing lost', () => {
  test('every refused input that reached the pipeline is held with its reason and has its raw receipt; a re-drive answers', async ({
    service,
  }) => {
    const frames = [
      Buffer.from('hello'),
      Buffer.from(sampleBytes('hl7v2/bad_missing_pid.hl7')),
      Buffer.from([0, 1, 2]),
    ];
    const mllp = await openRawMllp(service.mllpPort);
    try {
      await mllp.write(Buffer.concat(frames.map((frame) => mllpFrame(frame))));
      expect((await answersOn(mllp, frames.length)).map((answer) => answer.code)).toEqual(['AR', 'AE', 'AR']);
    } finally {
      mllp.close();
    }
    const requests = [
      { path: '/events', contentType: 'application/json', body: '{"type":' },
      { path: '/fhir/Condition', contentType: FHIR_JSON, body: '{"resourceType":' },
      { path: '/fhir/Condition', contentType: FHIR_JSON, body: sampleText('fhir/bad_wrong_resource_type.json') },
      { path: '/fhir/Condition', contentType: FHIR_JSON, body: sampleText('fhir/bundle_transaction.json') },
    ];
    for (const { path, contentType, body } of requests) {
      expect((await post(service, path, contentType, body)).status).toBe(400);
    }
    // Refused by HTTP itself, before the pipeline: nothing is held and there is no receipt.
    expect((await post(service, '/fhir/Patient', FHIR_JSON, '{}')).status).toBe(404);
    expect((await post(service, '/events', 'text/plain', 'hello')).status).toBe(415);

    const listed = (await (await fetchWithRole(`${service.httpUrl}/admin/rejected`)).json()) as {
      rejected: HeldView[];
    };
    expect(listed.rejected.map(({ endpoint, reasonCode, bytes }) => ({ endpoint, reasonCode, bytes }))).toEqual([
      { endpoint: 'mllp', reasonCode: 'unparseable', bytes: frames[0]?.length },
      { endpoint: 'mllp', reasonCode: 'segment-missing', bytes: frames[1]?.length },
      { endpoint: 'mllp', reasonCode: 'unparseable', bytes: frames[2]?.length },
      { endpoint: 'json', reasonCode: 'unparseable', bytes: Buffer.byteLength(requests[0]?.body ?? '') },
      { endpoint: 'fhir:Condition', reasonCode: 'unparseable', bytes: Buffer.byteLength(requests[1]?.body ?? '') },
      {
        endpoint: 'fhir:Condition',
        reasonCode: 'unsupported-message-type',
        bytes: Buffer.byteLength(requests[2]?.body ?? ''),
      },
      {
        endpoint: 'fhir:Condition',
        reasonCode: 'unsupported-message-type',
        bytes: Buffer.byteLength(requests[3]?.body ?? ''),
      },
    ]);
    expect(await rawReceiptCount(service)).toBe(frames.length + requests.length);

    const [first] = listed.rejected;
    const redrive = await fetchWithRole(`${service.httpUrl}/admin/rejected/${first?.id}/redrive`, { method: 'POST' });
    expect({ status: redrive.status, body: await redrive.json() }).toEqual({
      status: 200,
      body: { outcome: 'rejected', correlationId: first?.correlationId },
    });
  });
});
