/**
 * Re-drives one dead letter into its view after the cause is fixed (a schema registered, a
 * bug deployed): decode it again and, in one transaction, record its event id, fold it into
 * the view and mark the dead letter re-driven. A record still undecodable stays dead. I/O.
 */
import type { EventCodec } from '../platform/eventCodec.js';
import { type Pool, withTransaction } from '../platform/postgres.js';
import type { LiveView } from '../projections/liveView.js';
import { markDeadLetterRedriven, readDeadLetter } from './deadLetters.js';
import { recordProcessedEvents } from './processedEvents.js';

export type RedriveOutcome =
  | { readonly kind: 'applied'; readonly eventId: string }
  | { readonly kind: 'duplicate'; readonly eventId: string }
  | { readonly kind: 'still-failing'; readonly error: string }
  | { readonly kind: 'not-found' | 'already-redriven' | 'wrong-view' };

export async function redriveDeadLetter<State>(
  pool: Pool,
  view: LiveView<State>,
  codec: EventCodec,
  id: number,
): Promise<RedriveOutcome> {
  const dead = await readDeadLetter(pool, id);
  if (dead === undefined) return { kind: 'not-found' };
  if (dead.status === 'redriven') return { kind: 'already-redriven' };
  if (dead.view !== view.name) return { kind: 'wrong-view' };
  let event: Awaited<ReturnType<EventCodec['decode']>>;
  try {
    if (dead.value === null) throw new Error('the record has no value');
    event = await codec.decode(dead.value);
  } catch (error) {
    return { kind: 'still-failing', error: error instanceof Error ? error.message : String(error) };
  }
  return withTransaction(pool, async (tx) => {
    const fresh = await recordProcessedEvents(tx, view.name, [
      { eventId: event.eventId, partition: dead.partition, offset: dead.offset },
    ]);
    if (fresh.size === 1) {
      const nhs = event.patient.nhsNumber;
      const current = (await view.store.load(tx, [nhs])).get(nhs) ?? view.projection.initialState;
      await view.store.save(
        tx,
        new Map([
          [
            nhs,
            {
              state: view.projection.evolve(current, event),
              position: { partition: dead.partition, offset: String(dead.offset) },
            },
          ],
        ]),
      );
    }
    await markDeadLetterRedriven(tx, id, fresh.size === 1 ? 'applied' : 'duplicate');
    return { kind: fresh.size === 1 ? 'applied' : 'duplicate', eventId: event.eventId };
  });
}
