/**
 * A source identity sent again is a resend only when its content is the same: the same HL7
 * control id, FHIR resource version or Idempotency-Key with other content (another drug,
 * another dose) is refused in each channel's terms (AE 205, 409, 422), nothing new reaches the
 * log, and the input is kept as rejected and re-drivable. A true resend (a new MSH-7) and a
 * gateway's re-serialisation of the same JSON are still answered as duplicates.
 */
import { describe, expect } from 'vitest';
import { hl7Bytes, sampleLines, withField } from '../support/hl7Lines.js';
import { errOf, msaOf, sendOverMllp } from '../support/mllpClient.js';
import { sampleBytes } from '../support/samples.js';
import { readCanonicalEvents, type ServiceUnderTest, serviceTest as test } from '../support/serviceUnderTest.js';

const orderLines = sampleLines('hl7v2/orm_o01_new_order.hl7');

type Held = { id: number; reasonCode: string; status: string; reason: string; location: string | null };

/** The rejected inputs listed by the admin API, and a re-drive of the one refused for a reused identifier. */
async function expectKeptAndRedrivable(service: ServiceUnderTest, location: string): Promise<void> {
  const api = service.api;
  const listed = (await api.get('/admin/rejected')).body as { rejected: Held[] };
  expect(listed.rejected).toEqual([
    expect.objectContaining({ reasonCode: 'reused-identifier', status: 'rejected', location }),
  ]);
  const [held] = listed.rejected;
  if (held === undefined) throw new Error('nothing kept');
  const redriven = await api.request('POST', `/admin/rejected/${held.id}/redrive`);
  expect(redriven.status).toBe(200);
  // Still the same identity with other content: refused again, and still on the list.
  expect(redriven.body).toMatchObject({ outcome: 'rejected' });
  const after = (await api.get('/admin/rejected?all=true')).body as { rejected: Held[] };
  expect(after.rejected.map((r) => [r.reasonCode, r.status])).toEqual([['reused-identifier', 'rejected']]);
}

describe('a reused source identity', () => {
  test('HL7: the same MSH-10 with another drug is AE 205, nothing new on the log, kept and re-drivable; a resend with a new MSH-7 is still the duplicate AA', async ({
    service,
  }) => {
    expect(msaOf(await sendOverMllp(service.mllpPort, hl7Bytes(orderLines))).code).toBe('AA');
    const resend = await sendOverMllp(service.mllpPort, hl7Bytes(withField(orderLines, 'MSH-7', '20260302091544')));
    expect(msaOf(resend).code).toBe('AA');
    expect(resend).toContain('duplicate of an accepted message');

    const anotherDrug = withField(orderLines, 'RXO-1', '322236009^Paracetamol 500mg tablets^DMD');
    const ack = await sendOverMllp(service.mllpPort, hl7Bytes(withField(anotherDrug, 'MSH-7', '20260302091702')));
    expect(msaOf(ack)).toEqual({ code: 'AE', controlId: 'EPR000801' });
    // A 2.4 sender reads ERR-1: segment^occurrence^field^code&text&table.
    expect(errOf(ack)).toBe('ERR|MSH^1^10^205&Duplicate key identifier&HL70357');
    expect(ack).toContain('control id EPR000801 was accepted before with other content');

    const events = await readCanonicalEvents(service);
    expect(events.map((e) => e.type)).toEqual(['MedicationOrdered']);
    expect(JSON.stringify(events)).toContain('Amoxicillin');
    await expectKeptAndRedrivable(service, 'MSH-10');
  });

  test('FHIR: the same resource version with another dose is 409, nothing new, kept and re-drivable; a re-serialised resend is the duplicate 200', async ({
    service,
  }) => {
    const api = service.api;
    const text = Buffer.from(sampleBytes('fhir/medicationrequest_active.json')).toString('utf8');
    const post = (body: string) =>
      api.request('POST', '/fhir/MedicationRequest', {
        raw: body,
        headers: { 'content-type': 'application/fhir+json' },
      });
    expect((await post(text)).status).toBe(201);

    // A gateway's re-serialisation: other key order, no whitespace, 500 as 500.0, instants in another zone.
    const resource = JSON.parse(text) as Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(resource).reverse());
    const reserialised = JSON.stringify(reordered)
      .replace('"value":500,', '"value":500.0,')
      .replaceAll('"2026-03-05T10:25:00Z"', '"2026-03-05T11:25:00.000+01:00"');
    expect(reserialised).toContain('500.0');
    const duplicate = await post(reserialised);
    expect(duplicate.status).toBe(200);
    expect(duplicate.text).toContain('duplicate');

    const changed = await post(text.replace('"value": 500', '"value": 1000'));
    expect(changed.status).toBe(409);
    expect(changed.body).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'conflict',
          details: { text: expect.stringMatching(/^CEL_ERR_REUSED_IDENTIFIER: MedicationRequest\/gp-mr-a1-0311/) },
          expression: ['MedicationRequest.id'],
        },
      ],
    });
    expect((await readCanonicalEvents(service)).map((e) => e.type)).toEqual(['MedicationOrdered']);
    await expectKeptAndRedrivable(service, 'MedicationRequest.id');
  });

  test('JSON: the same Idempotency-Key with another body is 422, nothing new, kept and re-drivable; a re-serialised resend is the duplicate 200', async ({
    service,
  }) => {
    const api = service.api;
    const text = Buffer.from(sampleBytes('json/medication_event.json')).toString('utf8');
    const body = JSON.parse(text) as { idempotencyKey: string; data: Record<string, unknown> };
    const post = (raw: string) =>
      api.request('POST', '/events', {
        raw,
        headers: { 'content-type': 'application/json', 'idempotency-key': body.idempotencyKey },
      });
    expect((await post(text)).status).toBe(201);

    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const reserialised = JSON.stringify(reordered, null, 1).replace(
      '"2026-03-04T16:30:00Z"',
      '"2026-03-04T17:30:00.000+01:00"',
    );
    const duplicate = await post(reserialised);
    expect(duplicate.status).toBe(200);
    expect(duplicate.body).toMatchObject({ outcome: 'duplicate' });

    const changed = await post(JSON.stringify({ ...body, data: { ...body.data, dose: '80' } }));
    expect(changed.status).toBe(422);
    expect(changed.headers.get('content-type')).toContain('application/problem+json');
    expect(changed.text).toContain('CEL_ERR_REUSED_IDENTIFIER');
    expect(changed.text).toContain(`Idempotency-Key ${body.idempotencyKey.slice(0, 32)}`);
    expect((await readCanonicalEvents(service)).map((e) => e.type)).toEqual(['MedicationOrdered']);
    await expectKeptAndRedrivable(service, '/idempotencyKey');
  });
});
