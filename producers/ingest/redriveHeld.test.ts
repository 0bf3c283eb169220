/** An operator's re-drive with fakes: the held input runs again as received, and a rejected one records the outcome. */
import { describe, expect, test } from 'vitest';
import type { HeldInput } from './heldInputs.js';
import type { InboundMessage } from './inboundMessage.js';
import type { IngestOutcome, Redrive } from './ingestService.js';
import { redriveHeld } from './redriveHeld.js';

const stored: HeldInput = {
  id: 7,
  receiptId: '00000000-0000-4000-8000-000000000007',
  channel: 'FHIR',
  endpoint: 'fhir:Condition',
  contentType: 'application/fhir+json',
  payload: Buffer.from('{}'),
  correlationId: 'c7',
  remoteAddress: '10.0.0.1',
  receivedAt: new Date('2026-03-01T09:00:00Z'),
  reasonCode: 'reused-identifier',
  reason: 'x',
  location: 'Condition.id',
  status: 'rejected',
};

function deps(outcome: IngestOutcome['kind']) {
  const runs: { message: InboundMessage; redrive: Redrive }[] = [];
  const marked: [number, string][] = [];
  return {
    runs,
    marked,
    deps: {
      find: async (_kind: Redrive['kind'], id: number) => (id === stored.id ? stored : undefined),
      run: async (message: InboundMessage, redrive: Redrive) => {
        runs.push({ message, redrive });
        return { kind: outcome, correlationId: message.correlationId } as IngestOutcome;
      },
      markRedriven: async (id: number, kind: string) => {
        marked.push([id, kind]);
      },
    },
  };
}

describe('redriveHeld', () => {
  test('runs the stored message again as received, and records what became of a rejected one', async () => {
    const d = deps('rejected');
    expect((await redriveHeld(d.deps, { kind: 'rejected', id: 7 }))?.kind).toBe('rejected');
    expect(d.runs).toEqual([
      {
        message: expect.objectContaining({
          receiptId: stored.receiptId,
          endpoint: 'fhir:Condition',
          payload: stored.payload,
          correlationId: 'c7',
          receivedAt: stored.receivedAt,
        }),
        redrive: { kind: 'rejected', id: 7 },
      },
    ]);
    expect(d.marked).toEqual([[7, 'rejected']]);
  });

  test('a parked input is not marked (its release resolves it)', async () => {
    const d = deps('accepted');
    await redriveHeld(d.deps, { kind: 'parked', id: 7 });
    expect(d.marked).toEqual([]);
  });

  test('no such input: undefined, nothing run', async () => {
    const d = deps('accepted');
    expect(await redriveHeld(d.deps, { kind: 'rejected', id: 8 })).toBeUndefined();
    expect(d.runs).toEqual([]);
  });
});
