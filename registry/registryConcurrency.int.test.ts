/**
 * Several registry instances on one database, as several processes would run: registrations
 * racing each other never give one schema two ids, two schemas one id, or a subject a gap or
 * a duplicate version; ids survive a restart.
 */
import { runMigrations } from '../platform/runMigrations.js';
import { describe, expect, test } from '../test/support/fixtures.js';
import { uniqueName } from '../test/support/uniqueName.js';
import { normalizeAvroSchema } from './normalizeAvroSchema.js';
import {
  basicAuthorization,
  type EmbeddedRegistry,
  startEmbeddedRegistry,
  stopEmbeddedRegistry,
} from './registryUnderTest.js';

const INSTANCES = 4;
const REGISTRATIONS_PER_INSTANCE = 20;
const DISTINCT_SCHEMAS = 6;

/** Schema k has k optional fields: any two are compatible both ways, so every order is valid. */
function schemaNumber(k: number): string {
  const optional = Array.from({ length: k }, (_, i) => ({ name: `note${i}`, type: ['null', 'string'], default: null }));
  return JSON.stringify({
    type: 'record',
    name: 'PatientDischarged',
    namespace: 'cel.events',
    fields: [{ name: 'reason', type: 'string' }, ...optional],
  });
}

type Registration = { readonly subject: string; readonly schema: number; readonly id: number };

async function register(registry: EmbeddedRegistry, subject: string, schema: string): Promise<number> {
  const response = await registry.app.inject({
    method: 'POST',
    url: `/subjects/${subject}/versions`,
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', authorization: basicAuthorization('service') },
    payload: JSON.stringify({ schema }),
  });
  expect(response.statusCode, response.body).toBe(200);
  return (response.json() as { id: number }).id;
}

async function getJson(registry: EmbeddedRegistry, url: string): Promise<unknown> {
  const response = await registry.app.inject({
    method: 'GET',
    url,
    headers: { authorization: basicAuthorization('subscriber') },
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

describe('registry instances sharing one database', () => {
  test(`${INSTANCES} instances × ${REGISTRATIONS_PER_INSTANCE} registrations at once`, async ({ databaseUrl }) => {
    await runMigrations(databaseUrl);
    const subjects = [
      uniqueName('cel.clinical-events-clinicaleventlog.events.PatientDischarged'),
      uniqueName('cel.clinical-events-clinicaleventlog.events.PatientAdmitted'),
    ];
    const instances = await Promise.all(Array.from({ length: INSTANCES }, () => startEmbeddedRegistry(databaseUrl)));
    try {
      // Every instance walks the same (subject, schema) pairs from a different starting point,
      // so the same registration arrives from several instances at nearly the same moment.
      const registrations: Registration[] = await Promise.all(
        instances.flatMap((registry, n) =>
          Array.from({ length: REGISTRATIONS_PER_INSTANCE }, async (_, i) => {
            const step = (i + n * 5) % REGISTRATIONS_PER_INSTANCE;
            const subject = subjects[step % subjects.length] ?? '';
            const schema = step % DISTINCT_SCHEMAS;
            return { subject, schema, id: await register(registry, subject, schemaNumber(schema)) };
          }),
        ),
      );

      const idsBySchema = new Map<number, Set<number>>();
      for (const r of registrations) idsBySchema.set(r.schema, (idsBySchema.get(r.schema) ?? new Set()).add(r.id));
      // One id per distinct schema, across subjects and instances…
      for (const [schema, ids] of idsBySchema) expect([...ids], `ids of schema ${schema}`).toHaveLength(1);
      // …and a different id for each distinct schema.
      const ids = [...idsBySchema.values()].map((set) => [...set][0]);
      expect(new Set(ids).size).toBe(idsBySchema.size);
      expect(idsBySchema.size).toBe(DISTINCT_SCHEMAS);

      const reader = instances[0] as EmbeddedRegistry;
      for (const subject of subjects) {
        const distinct = new Set(registrations.filter((r) => r.subject === subject).map((r) => r.schema));
        // Versions 1..n without gaps or duplicates, one per distinct schema of the subject.
        expect(await getJson(reader, `/subjects/${subject}/versions`)).toEqual(
          Array.from({ length: distinct.size }, (_, i) => i + 1),
        );
        const versionIds = await Promise.all(
          [...distinct].map(
            async (_, i) => ((await getJson(reader, `/subjects/${subject}/versions/${i + 1}`)) as { id: number }).id,
          ),
        );
        expect(new Set(versionIds).size).toBe(distinct.size);
      }
    } finally {
      await Promise.all(instances.map(stopEmbeddedRegistry));
    }
  });

  test('ids survive a restart', async ({ databaseUrl }) => {
    await runMigrations(databaseUrl);
    const subject = uniqueName('cel.clinical-events-clinicaleventlog.events.PatientDischarged');
    const first = await startEmbeddedRegistry(databaseUrl);
    const id = await register(first, subject, schemaNumber(0)).finally(() => stopEmbeddedRegistry(first));

    const second = await startEmbeddedRegistry(databaseUrl);
    try {
      const normalized = normalizeAvroSchema(schemaNumber(0));
      expect(await getJson(second, `/schemas/ids/${id}`)).toEqual({
        schema: normalized.ok && normalized.value.normalized,
      });
      // The next schema gets the next id, not a reused one.
      expect(await register(second, subject, schemaNumber(1))).toBe(id + 1);
      expect(await register(second, subject, schemaNumber(0))).toBe(id);
    } finally {
      await stopEmbeddedRegistry(second);
    }
  });
});
