/**
 * `npm run demo`: feeds the sample story (test/samples/timeline: three patients over five
 * days, 24 deliveries) to a running service (`npm start`) the way the real senders would —
 * HL7 over MLLP, FHIR and JSON over HTTP — prints each answer, waits until the views have
 * caught up, and shows what a GP, a pharmacist and the care plan now see.
 *
 * Each HTTP call carries a bearer token of the role the access policy names for it: the
 * integration role for submissions, the GP, pharmacist and care-coordinator roles for the
 * views, an operator's for /health's lag. With the development issuer the demo mints them
 * itself; with an OIDC provider (AUTH_ISSUER) it sends CEL_TOKEN, which must carry all those
 * roles. I/O.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrCreateDevKey, mintDevToken } from '../auth/devIssuer.js';
import type { Role } from '../auth/roles.js';
import { loadConfig } from '../platform/config.js';
import { msaOf, openMllp } from '../test/support/mllpClient.js';
import { SAMPLES_DIR, sampleBytes } from '../test/support/samples.js';

type Line = { seq: number; at: string; file: string; note: string };

const config = loadConfig();
const host = config.listen.host === '0.0.0.0' ? '127.0.0.1' : config.listen.host;
const http = `http://${host}:${config.listen.httpPort}`;

const demoRoles = [
  'integration',
  'gp',
  'pharmacist',
  'care-coordinator',
  'operator',
] as const satisfies readonly Role[];
type DemoRole = (typeof demoRoles)[number];

/** One token per role the demo calls with: minted by the development issuer, or CEL_TOKEN for all with an OIDC provider. */
async function demoTokens(): Promise<Readonly<Record<DemoRole, string>>> {
  const auth = config.auth;
  if (auth.mode === 'oidc') {
    const given = process.env.CEL_TOKEN?.trim() ?? '';
    if (given === '') {
      process.stderr.write(
        `the service trusts tokens from ${auth.issuer} (AUTH_ISSUER): set CEL_TOKEN to one from that provider with the roles ${demoRoles.join(', ')}\n`,
      );
      process.exit(1);
    }
    return Object.fromEntries(demoRoles.map((role) => [role, given])) as Record<DemoRole, string>;
  }
  const key = await loadOrCreateDevKey(config.localStack.dir);
  const minted = await Promise.all(
    demoRoles.map(
      async (role) =>
        [
          role,
          await mintDevToken(key, { role, sub: 'demo', clientId: 'demo', ttlSeconds: 3600, audience: auth.audience }),
        ] as const,
    ),
  );
  return Object.fromEntries(minted) as Record<DemoRole, string>;
}

const bearer = (role: DemoRole) => `Bearer ${tokens[role]}`;

async function getJson(path: string, role: DemoRole): Promise<Record<string, unknown>> {
  const response = await fetch(`${http}${path}`, { headers: { authorization: bearer(role) } });
  const body = (await response.json()) as Record<string, unknown>;
  if (response.status === 401 || response.status === 403)
    throw new Error(`GET ${path} as ${role}: HTTP ${response.status} ${String(body.detail ?? body.title ?? '')}`);
  return body;
}

async function deliver(file: string): Promise<string> {
  const bytes = sampleBytes(file);
  if (file.startsWith('hl7v2/')) {
    const client = await openMllp(config.listen.mllpPort, host);
    try {
      return `ACK ${msaOf(await client.send(bytes)).code}`;
    } finally {
      client.close();
    }
  }
  const body = JSON.parse(Buffer.from(bytes).toString('utf8')) as { resourceType?: string; idempotencyKey?: string };
  const path = file.startsWith('json/')
    ? '/events'
    : file.includes('notification')
      ? '/fhir/notify'
      : body.resourceType === 'Bundle'
        ? '/fhir'
        : `/fhir/${body.resourceType ?? ''}`;
  const headers: Record<string, string> = {
    'content-type': file.startsWith('json/') ? 'application/json' : 'application/fhir+json',
    authorization: bearer('integration'),
  };
  if (body.idempotencyKey !== undefined) headers['idempotency-key'] = body.idempotencyKey;
  const response = await fetch(`${http}${path}`, { method: 'POST', headers, body: Buffer.from(bytes) });
  return `HTTP ${response.status}`;
}

try {
  await fetch(`${http}/health`);
} catch {
  process.stderr.write(`no service answers at ${http}; start it first with: npm start\n`);
  process.exit(1);
}
const tokens = await demoTokens();

const story = readFileSync(join(SAMPLES_DIR, 'timeline', 'timeline.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Line);
process.stdout.write(`Feeding ${story.length} deliveries to ${http} and MLLP :${config.listen.mllpPort}\n`);
for (const line of story) {
  const answer = await deliver(line.file);
  process.stdout.write(`${String(line.seq).padStart(2)}  ${line.at}  ${answer.padEnd(8)}  ${line.note}\n`);
}

process.stdout.write('\nWaiting for the views to catch up…\n');
const deadline = Date.now() + 60_000;
for (;;) {
  const lag = (await getJson('/health', 'operator')).viewLag as Record<string, number> | undefined;
  if (lag !== undefined && Object.values(lag).every((n) => n === 0)) break;
  if (Date.now() > deadline) {
    process.stderr.write(`views still behind after 60 s: ${JSON.stringify(lag)}\n`);
    process.exit(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 250));
}

const summary = await getJson('/patients/9991000216/gp-summary', 'gp');
const orders = (await getJson('/pharmacy/orders?status=active', 'pharmacist')).orders as unknown[];
const tasks = (await getJson('/care-plan/tasks?dueBefore=2100-01-01T00:00:00Z&status=open', 'care-coordinator'))
  .tasks as unknown[];
process.stdout.write(
  [
    '',
    `GP view of patient A (GET ${http}/patients/9991000216/gp-summary):`,
    `  ${(summary.discharges as unknown[]).length} discharges, ${(summary.activeProblems as unknown[]).length} active problems, ${(summary.currentMedications as unknown[]).length} current medications`,
    `Pharmacy (GET ${http}/pharmacy/orders?status=active): ${orders.length} active orders`,
    `Care plan (GET ${http}/care-plan/tasks?dueBefore=…): ${tasks.length} open tasks`,
    'Re-running the demo answers every delivery as a duplicate and changes nothing.',
    '',
  ].join('\n'),
);
