/** renderJsonb prints exactly what PostgreSQL prints for the same JSON stored as jsonb. */
import { fc } from '@fast-check/vitest';
import pg from 'pg';
import { describe, expect, test } from '../../test/support/fixtures.js';
import type { Json } from './eventJson.js';
import { renderJsonb } from './renderJsonb.js';

// jsonb refuses \u0000 and lone surrogates (JSON.stringify escapes them as \udxxx), so such
// values can never be stored or chained.
const storable = (v: Json) => !/\\u(0000|d[89a-f])/i.test(JSON.stringify(v));

describe('renderJsonb against PostgreSQL', () => {
  test('random JSON values print as payload::text does', async ({ databaseUrl }) => {
    const values = fc
      .sample(fc.jsonValue({ depthSize: 'medium', stringUnit: 'binary' }), { numRuns: 400, seed: 20260302 })
      .map((v) => v as Json)
      .filter(storable);
    const client = new pg.Client({ connectionString: databaseUrl.toString() });
    await client.connect();
    try {
      const result = await client.query<{ i: number; text: string }>(
        'SELECT i::int AS i, j::jsonb::text AS text FROM unnest($1::text[]) WITH ORDINALITY AS t(j, i)',
        [values.map((v) => JSON.stringify(v))],
      );
      expect(result.rows).toHaveLength(values.length);
      for (const row of result.rows) expect(renderJsonb(values[row.i - 1] as Json)).toBe(row.text);
    } finally {
      await client.end();
    }
  });
});
