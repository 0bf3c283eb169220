import { describe, expect, test } from 'vitest';
import { createLogger } from '../platform/logger.js';
import { SchemaRegistryError } from '../platform/schemaRegistry.js';
import { recordHeaders } from '../schemas/topics.js';
import { BatchAbandonedError, createRecordDecoder, type FetchedMessage } from './recordDecoder.js';

const EVENT_ID = '0b6f3d0c-7c1e-4c55-9a43-2a1f0a1b2c3d';

const message = (headerEventId?: string): FetchedMessage => ({
  offset: '7',
  key: Buffer.from('k'),
  value: Buffer.from('v'),
  ...(headerEventId === undefined ? {} : { headers: { [recordHeaders.eventId]: Buffer.from(headerEventId) } }),
});

/** A decoder over `decodeValue`, with waits that take no time and the warnings it logs. */
function decoderOver(decodeValue: (value: Buffer) => Promise<string>, signal = new AbortController().signal) {
  const waits: number[] = [];
  const warnings: string[] = [];
  const logger = createLogger('warn', {
    write: (line: string) => {
      warnings.push(String((JSON.parse(line) as { msg: unknown }).msg));
    },
  });
  const decode = createRecordDecoder({
    decodeValue,
    logger,
    signal,
    delay: async (ms) => {
      waits.push(ms);
    },
  });
  return { decode, waits, warnings };
}

const registryAway = () => new SchemaRegistryError('registry did not answer', undefined, undefined);

describe('createRecordDecoder', () => {
  test('waits for an unreachable registry (0.5 s more each time) and decodes once it answers; one warning', async () => {
    let calls = 0;
    const { decode, waits, warnings } = decoderOver(async () => {
      calls += 1;
      if (calls <= 3) throw registryAway();
      return 'event';
    });
    const decoded = await decode(message());
    expect(decoded.decoded).toEqual({ ok: true, event: 'event' });
    expect(decoded.offset).toBe(7n);
    expect(waits).toEqual([500, 1000, 1500]);
    expect(warnings).toHaveLength(1);
  });

  test('the registry wait is capped at 10 s', async () => {
    let calls = 0;
    const { decode, waits } = decoderOver(async () => {
      calls += 1;
      if (calls <= 22) throw registryAway();
      return 'event';
    });
    await decode(message());
    expect(waits.at(-1)).toBe(10_000);
    expect(Math.max(...waits)).toBe(10_000);
  });

  test.each([
    {
      name: 'a record that does not decode is undecodable with its code and the header event id',
      failure: Object.assign(new Error('unknown schema id 9'), { code: 'CEL_ERR_UNKNOWN_SCHEMA_ID' }),
      header: EVENT_ID,
      expected: { errorCode: 'CEL_ERR_UNKNOWN_SCHEMA_ID', eventId: EVENT_ID },
    },
    {
      name: 'a malformed event id header is not carried into the dead letter',
      failure: new Error('bad bytes'),
      header: 'not-an-id',
      expected: { errorCode: 'CEL_ERR_APPLY_FAILED', eventId: null },
    },
    {
      name: 'a registry refusal (4xx) is not waited for: the record is undecodable at once',
      failure: new SchemaRegistryError('subject not found', 404, 40401),
      header: undefined,
      expected: { errorCode: 'CEL_ERR_SCHEMA_REGISTRY', eventId: null },
    },
  ])('$name', async ({ failure, header, expected }) => {
    const { decode, waits } = decoderOver(async () => {
      throw failure;
    });
    const decoded = await decode(message(header));
    expect(decoded.decoded).toEqual({ ok: false, error: failure.message, ...expected });
    expect(waits).toEqual([]);
  });

  test('a record with no value is undecodable', async () => {
    const { decode } = decoderOver(async () => 'never');
    expect((await decode({ ...message(), value: null })).decoded).toMatchObject({
      ok: false,
      errorCode: 'CEL_ERR_UNDECODABLE',
    });
  });

  test('stopping while the registry is away abandons the batch instead of dead-lettering the record', async () => {
    const stopping = new AbortController();
    const { decode } = decoderOver(async () => {
      stopping.abort();
      throw registryAway();
    }, stopping.signal);
    await expect(decode(message())).rejects.toBeInstanceOf(BatchAbandonedError);
  });
});
