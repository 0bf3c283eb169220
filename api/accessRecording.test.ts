/**
 * The access recording hooks on an in-process API: a read's record names the caller and the
 * patients its answer held and is written before the answer leaves; a record that cannot be
 * written turns the answer into a 503 without the data, and stops an admin action before it runs.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { importJWK, SignJWT } from 'jose';
import { afterEach, describe, expect, test } from 'vitest';
import { DEFAULT_AUDIENCE, DEV_ISSUER } from '../auth/devIssuer.js';
import type { AccessRecord } from '../schemas/generated/events.js';
import { testAuth } from '../test/support/testAuth.js';
import { registerAuth } from './authPlugin.js';

const NHS = '9434765919';
const OTHERS = ['9991000216', '9995000040'];

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** `together`: the summary route answers only once that many requests have reached it (as reads do under load). */
async function build(fail: boolean, together = 1) {
  const access = await testAuth();
  let arrived = 0;
  let allArrived: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    allArrived = resolve;
  });
  const recorded: AccessRecord[] = [];
  const writes: (readonly AccessRecord[])[] = [];
  let actions = 0;
  app = Fastify();
  registerAuth(app, {
    ...access.auth,
    recordAccess: async (records) => {
      if (fail) throw new Error('the broker refuses');
      writes.push(records);
      recorded.push(...records);
    },
  });
  app.get('/patients/:nhs/gp-summary', async (request, reply) => {
    const { nhs } = request.params as { nhs: string };
    arrived += 1;
    if (arrived >= together) allArrived();
    await gate;
    if (nhs === '9990000026') return reply.status(404).send({ code: 'CEL_ERR_UNKNOWN_PATIENT' });
    return { nhsNumber: nhs, discharges: [] };
  });
  app.get('/pharmacy/orders', async () => ({
    orders: [NHS, ...OTHERS, NHS].map((nhsNumber, i) => ({ nhsNumber, orderId: `o${i}` })),
  }));
  app.post('/admin/dead-letters/:id/redrive', async () => {
    actions += 1;
    return { outcome: 'applied' };
  });
  const as = async (role: Parameters<typeof access.tokens.token>[0]) => ({
    authorization: `Bearer ${await access.tokens.token(role, { sub: `a-${role}`, clientId: 'portal' })}`,
  });
  return { app, recorded, writes, as, actions: () => actions };
}

describe('access recording', () => {
  test('a read writes one record naming the caller and the patient, before the answer', async () => {
    const { app, recorded, as } = await build(false);
    const response = await app.inject({
      method: 'GET',
      url: `/patients/${NHS}/gp-summary`,
      headers: { ...(await as('gp')), 'x-correlation-id': 'read-1' },
    });
    expect(response.statusCode).toBe(200);
    expect(recorded).toEqual([
      expect.objectContaining({
        actorSub: 'a-gp',
        actorRoles: ['gp'],
        clientId: 'portal',
        purposeOfUse: 'TREAT',
        kind: 'READ',
        route: 'GET /patients/:nhs/gp-summary',
        patients: [NHS],
        outcome: '200',
      }),
    ]);
  });

  test('a list names every patient it held, once each', async () => {
    const { app, recorded, as } = await build(false);
    const response = await app.inject({ method: 'GET', url: '/pharmacy/orders', headers: await as('pharmacist') });
    expect(response.statusCode).toBe(200);
    expect(recorded.map((r) => r.patients)).toEqual([[NHS, ...OTHERS].sort()]);
  });

  test('reads answered together have their records written together; a lone read has its own write', async () => {
    const patients = [NHS, ...OTHERS, '9990000026'];
    const { app, recorded, writes, as } = await build(false, patients.length);
    const headers = await as('gp');
    const answers = await Promise.all(
      patients.map((nhs) => app.inject({ method: 'GET', url: `/patients/${nhs}/gp-summary`, headers })),
    );
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 404]);
    expect(recorded.map((r) => r.patients[0]).sort()).toEqual([NHS, ...OTHERS].sort());
    expect(writes.map((w) => w.length)).toEqual([3]);

    const before = writes.length;
    const lone = await app.inject({ method: 'GET', url: `/patients/${NHS}/gp-summary`, headers });
    expect(lone.statusCode).toBe(200);
    expect(writes.slice(before).map((w) => w.length)).toEqual([1]);
  });

  test('refusals and answers without data write nothing', async () => {
    const { app, recorded, as } = await build(false);
    expect((await app.inject({ method: 'GET', url: `/patients/${NHS}/gp-summary` })).statusCode).toBe(401);
    const refused = await app.inject({
      method: 'GET',
      url: `/patients/${NHS}/gp-summary`,
      headers: await as('analyst'),
    });
    expect(refused.statusCode).toBe(403);
    const unknown = await app.inject({
      method: 'GET',
      url: '/patients/9990000026/gp-summary',
      headers: await as('gp'),
    });
    expect(unknown.statusCode).toBe(404);
    expect(recorded).toEqual([]);
  });

  test('when the record cannot be written, the read is 503 without its data', async () => {
    const { app, as } = await build(true);
    const response = await app.inject({ method: 'GET', url: `/patients/${NHS}/gp-summary`, headers: await as('gp') });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ code: 'CEL_ERR_ACCESS_LOG_UNAVAILABLE' });
    expect(response.body).not.toContain(NHS);
    expect(response.headers['retry-after']).toBe('5');
  });

  test('an admin action is recorded before it runs, and does not run when it cannot be', async () => {
    const ok = await build(false);
    const done = await ok.app.inject({
      method: 'POST',
      url: '/admin/dead-letters/7/redrive',
      headers: await ok.as('operator'),
    });
    expect(done.statusCode).toBe(200);
    expect(ok.recorded).toEqual([
      expect.objectContaining({ kind: 'ADMIN', route: 'POST /admin/dead-letters/:id/redrive', outcome: 'started' }),
    ]);
    expect(ok.actions()).toBe(1);
    await ok.app.close();

    const failing = await build(true);
    const refused = await failing.app.inject({
      method: 'POST',
      url: '/admin/dead-letters/7/redrive',
      headers: await failing.as('operator'),
    });
    expect(refused.statusCode).toBe(503);
    expect(failing.actions()).toBe(0);
  });
});

describe('purpose of use', () => {
  test('a token without the claim takes the X-Purpose-Of-Use header; a claim stands; a bad header is a 400', async () => {
    const access = await testAuth();
    const recorded: AccessRecord[] = [];
    app = Fastify();
    registerAuth(app, { ...access.auth, recordAccess: async (records) => void recorded.push(...records) });
    app.get('/patients/:nhs/gp-summary', async (request) => ({ nhsNumber: (request.params as { nhs: string }).nhs }));
    const key = await importJWK(access.tokens.key.privateJwk, 'ES256');
    const unclaimed = await new SignJWT({ roles: ['gp'], scope: 'user/*.rs', client_id: 'portal' })
      .setProtectedHeader({ alg: 'ES256', kid: access.tokens.key.kid })
      .setIssuer(DEV_ISSUER)
      .setAudience(DEFAULT_AUDIENCE)
      .setSubject('dr-no-claim')
      .setExpirationTime('5m')
      .sign(key);
    const get = (token: string, purpose?: string) =>
      app?.inject({
        method: 'GET',
        url: `/patients/${NHS}/gp-summary`,
        headers: {
          authorization: `Bearer ${token}`,
          ...(purpose === undefined ? {} : { 'x-purpose-of-use': purpose }),
        },
      });
    expect((await get(unclaimed, 'ETREAT'))?.statusCode).toBe(200);
    expect((await get(unclaimed))?.statusCode).toBe(200);
    expect((await get(await access.tokens.token('gp', { purposeOfUse: 'TREAT' }), 'HRESCH'))?.statusCode).toBe(200);
    expect(recorded.map((r) => r.purposeOfUse)).toEqual(['ETREAT', 'TREAT', 'TREAT']);
    const bad = await get(unclaimed, 'treat me; now');
    expect(bad?.statusCode).toBe(400);
    expect(bad?.json()).toMatchObject({ code: 'CEL_ERR_BAD_REQUEST', location: '/headers/x-purpose-of-use' });
  });
});

describe('patientsIn', async () => {
  const { patientsIn } = await import('../auth/accessEntry.js');
  test('every nhsNumber at any depth and every patients list, valid numbers only, sorted', () => {
    expect(
      patientsIn(
        {
          nhsNumber: NHS,
          rows: [{ nested: { nhsNumber: OTHERS[1] } }, { nhsNumber: 'not-a-number' }],
          patients: [OTHERS[0]],
        },
        ['943 476 5919'],
      ),
    ).toEqual([NHS, ...OTHERS].sort());
  });
});
