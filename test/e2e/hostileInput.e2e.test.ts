/**
 * The property-based end-to-end suite: generated hostile inputs on every channel (HL7 v2 over
 * MLLP, FHIR and JSON over HTTP), mixed with valid ones, against the whole service in-process.
 * For every input: answered AA/2xx ⇒ on the log with the values sent, in each view that
 * should show it and in the audit index, with the patient's chain verifying; answered
 * AE/AR/4xx ⇒ nothing from it anywhere; never a 5xx, never a hang. At the end `/health` is
 * not degraded and no dead letter is waiting.
 *
 * CI runs a fixed seed and a modest count. `npm run fuzz -- --runs N [--seed S] [--survey]`
 * runs more through this same file (CEL_FUZZ_* variables); a failure prints the seed, the
 * path and the shrunk counterexample, and `--survey` collects every violation class instead
 * of stopping at the first.
 */
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { createPool } from '../../platform/postgres.js';
import {
  arbHostileInput,
  createNhsNumbers,
  type Delivery,
  deliveriesOf,
  type HostileInput,
} from '../support/hostileInputs.js';
import {
  type Answer,
  answerOfAck,
  answerOfResponse,
  awaitCatchUp,
  checkDelivery,
  tailCanonicalLog,
  type Violation,
  withinAnswerTime,
} from '../support/invariantCheck.js';
import { openMllp } from '../support/mllpClient.js';
import { type ServiceUnderTest, serviceTest as test } from '../support/serviceUnderTest.js';

// Run parameters for `npm run fuzz` (tools/fuzz.ts sets them); CI uses the defaults.
const RUNS = Number(process.env.CEL_FUZZ_RUNS ?? '30');
const SEED = Number(process.env.CEL_FUZZ_SEED ?? '20261207');
const SURVEY = process.env.CEL_FUZZ_SURVEY === '1';
const PROGRESS = process.env.CEL_FUZZ_PROGRESS === '1';
const TIME_LIMIT_MS = Number(process.env.CEL_FUZZ_TIME_LIMIT_MS ?? '60000');

async function deliver(service: ServiceUnderTest, delivery: Delivery): Promise<Answer> {
  try {
    if (delivery.channel === 'hl7') {
      const client = await openMllp(service.mllpPort);
      try {
        return answerOfAck(await withinAnswerTime(client.send(delivery.bytes), delivery.label));
      } finally {
        client.close();
      }
    }
    const api = service.api;
    const response = await withinAnswerTime(
      api.request('POST', delivery.path, { raw: delivery.body, headers: delivery.headers }),
      delivery.label,
    );
    return answerOfResponse(response);
  } catch (error) {
    return { kind: 'violation', detail: `no answer: ${(error as Error).message}` };
  }
}

/** A violation list short enough to read: one line per violation, its class first. */
function describeViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `  [${v.kind}] ${v.label}: ${v.detail}`).join('\n');
}

describe('hostile input on every channel', () => {
  test(
    'accepted means on the log, in every view and in the audit index; refused means nowhere; never a 5xx or a hang',
    async ({ service, databaseUrl }) => {
      const api = service.api;
      const tail = await tailCanonicalLog(service);
      const patients = createNhsNumbers();
      const found = new Map<string, { count: number; example: Violation }>();
      const answers = new Map<string, { accepted: number; refused: number; refusal?: string }>();
      let index = 0;
      let sent = 0;
      const started = Date.now();
      try {
        await fc.assert(
          fc.asyncProperty(
            fc.array(arbHostileInput, { minLength: 1, maxLength: 6 }),
            async (inputs: HostileInput[]) => {
              const batches = inputs.map((input) => deliveriesOf(input, index++, patients.next()));
              // Inputs are sent side by side; an input's changed resend goes after its first answer.
              const answered = await Promise.all(
                batches.map(async (deliveries) => {
                  const out: [Delivery, Answer][] = [];
                  for (const delivery of deliveries) out.push([delivery, await deliver(service, delivery)]);
                  return out;
                }),
              );
              await awaitCatchUp(tail, api);
              const violations = (
                await Promise.all(
                  answered.flat().map(([delivery, answer]) => checkDelivery(delivery, answer, tail, api)),
                )
              ).flat();
              sent += answered.flat().length;
              for (const [delivery, answer] of answered.flat()) {
                const tally = answers.get(delivery.label) ?? { accepted: 0, refused: 0 };
                if (answer.kind === 'accepted') tally.accepted += 1;
                if (answer.kind === 'refused') {
                  tally.refused += 1;
                  tally.refusal = answer.detail.slice(0, 200);
                }
                answers.set(delivery.label, tally);
              }
              for (const v of violations) {
                const entry = found.get(v.kind);
                found.set(v.kind, { count: (entry?.count ?? 0) + 1, example: entry?.example ?? v });
              }
              if (PROGRESS) {
                process.stderr.write(
                  `[fuzz] ${sent} inputs in ${Math.round((Date.now() - started) / 1000)} s; violation classes: ${found.size}\n`,
                );
              }
              if (!SURVEY && violations.length > 0)
                throw new Error(`invariant broken:\n${describeViolations(violations)}`);
            },
          ),
          { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
        );
      } finally {
        await tail.close();
      }
      if (SURVEY || PROGRESS) {
        const lines = [...found].map(
          ([kind, { count, example }]) => `  ${kind} ×${count}, e.g. ${example.label}: ${example.detail}`,
        );
        const tallies = [...answers].map(
          ([label, t]) =>
            `  ${label}: ${t.accepted} accepted, ${t.refused} refused${t.refusal === undefined ? '' : ` (last: ${t.refusal})`}`,
        );
        process.stderr.write(`[fuzz] answers by input kind:\n${tallies.join('\n')}\n`);
        process.stderr.write(`[fuzz] ${sent} inputs; violation classes:\n${lines.join('\n') || '  none'}\n`);
      }
      expect([...found.keys()]).toEqual([]);

      // Nothing hidden at the end: health is not degraded and no dead letter waits for a person.
      const health = await api.get('/health');
      expect(health.status).toBe(200);
      expect((health.body as { status?: string }).status).toBe('up');
      const pool = createPool(databaseUrl, { max: 1, applicationName: 'fuzz-dead-letters' });
      try {
        const dead = await pool.query<{ view: string; n: number }>(
          `SELECT view, count(*)::int AS n FROM view_dead_letters WHERE status = 'dead' GROUP BY view`,
        );
        expect(dead.rows).toEqual([]);
      } finally {
        await pool.end();
      }
    },
    Math.max(120_000, TIME_LIMIT_MS + 60_000),
  );
});
