/**
 * The client the project uses, @kafkajs/confluent-schema-registry, against the registry under
 * test as the `service` user: register, encode, decode and the id look-ups work unchanged. The
 * client's `register` sets the subject's level on a first registration unless told
 * `updateConfig: false`; a `service` principal may not, so it says so.
 */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { describe, expect } from '../test/support/fixtures.js';
import { uniqueName } from '../test/support/uniqueName.js';
import { externalRegistryUrl, registryTest } from './registryUnderTest.js';

const dischargeV1 = {
  type: 'record' as const,
  name: 'PatientDischarged',
  namespace: 'cel.events',
  fields: [
    { name: 'eventId', type: 'string' },
    { name: 'dischargedAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'ward', type: { type: 'enum', name: 'Ward', symbols: ['ACUTE', 'MATERNITY', 'OTHER'], default: 'OTHER' } },
  ],
};
/** A client logging in with the URL's user info, as Confluent clients take `basic.auth.user.info`. */
function clientFor(url: string): SchemaRegistry {
  const origin = new URL(url);
  const auth =
    origin.username === ''
      ? undefined
      : { username: decodeURIComponent(origin.username), password: decodeURIComponent(origin.password) };
  origin.username = '';
  origin.password = '';
  return new SchemaRegistry({ host: origin.toString().replace(/\/$/, ''), ...(auth === undefined ? {} : { auth }) });
}

const dischargeV2 = {
  ...dischargeV1,
  fields: [...dischargeV1.fields, { name: 'reason', type: ['null', 'string'], default: null }],
};

describe('@kafkajs/confluent-schema-registry against the registry', () => {
  registryTest('register, encode, decode and look up ids', async ({ registryUrl }) => {
    const subject = uniqueName('cel.clinical-events-clinicaleventlog.events.PatientDischarged');
    const client = clientFor(registryUrl);

    const { id } = await client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(dischargeV1) },
      { subject, updateConfig: false },
    );
    expect(id).toBeGreaterThan(0);
    // Registering again is how every producer starts: the same id, no new version.
    expect(
      await client.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(dischargeV1) },
        { subject, updateConfig: false },
      ),
    ).toEqual({
      id,
    });

    const event = { eventId: 'e-1', dischargedAt: 1_767_225_600_000, ward: 'MATERNITY' };
    const encoded = await client.encode(id, event);
    expect(encoded.readUInt8(0)).toBe(0); // Confluent wire format: magic byte, then the id
    expect(encoded.readInt32BE(1)).toBe(id);
    // A fresh client has no cache: decoding fetches the writer schema by id from the registry.
    expect(await clientFor(registryUrl).decode(encoded)).toEqual(event);

    expect(await client.getLatestSchemaId(subject)).toBe(id);
    expect(await client.getRegistryId(subject, 1)).toBe(id);
    expect(
      await client.getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema: JSON.stringify(dischargeV1) }),
    ).toBe(id);

    const v2 = await client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(dischargeV2) },
      { subject, updateConfig: false },
    );
    expect(v2.id).not.toBe(id);
    expect(await client.getLatestSchemaId(subject)).toBe(v2.id);
    expect(await client.getRegistryId(subject, 2)).toBe(v2.id);
    // Old data still decodes, read with the new schema.
    expect(
      await clientFor(registryUrl).decode(encoded, {
        [SchemaType.AVRO]: { readerSchema: dischargeV2 },
      }),
    ).toEqual({ ...event, reason: null });
  });

  registryTest('an incompatible schema is refused through the client', async ({ registryUrl }) => {
    const subject = uniqueName('cel.clinical-events-clinicaleventlog.events.PatientDischarged');
    const client = clientFor(registryUrl);
    await client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(dischargeV1) },
      { subject, updateConfig: false },
    );
    const eventIdAsInt = { ...dischargeV1, fields: [{ name: 'eventId', type: 'int' }, ...dischargeV1.fields.slice(1)] };
    await expect(
      client.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(eventIdAsInt) },
        { subject, updateConfig: false },
      ),
    ).rejects.toMatchObject({ status: 409 });
  });

  registryTest.skipIf(externalRegistryUrl !== undefined)(
    "the client's default register sets the level of a new subject: refused to service, allowed to admin",
    async ({ registryUrl, adminRegistryUrl }) => {
      const subject = uniqueName('cel.clinical-events-clinicaleventlog.events.PatientDischarged');
      const schema = { type: SchemaType.AVRO as const, schema: JSON.stringify(dischargeV1) };
      await expect(clientFor(registryUrl).register(schema, { subject })).rejects.toMatchObject({ status: 403 });
      const other = uniqueName('cel.clinical-events-clinicaleventlog.events.PatientDischarged');
      expect((await clientFor(adminRegistryUrl).register(schema, { subject: other })).id).toBeGreaterThan(0);
    },
  );
});
