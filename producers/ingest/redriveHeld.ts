/**
 * An operator's re-drive of a held input: the stored message goes through the pipeline again,
 * as received; a rejected input records what became of it (refused again, it stays on the list
 * of what needs a fix). I/O through its dependencies.
 */
import type { HeldInput } from './heldInputs.js';
import type { InboundMessage } from './inboundMessage.js';
import type { IngestOutcome, Redrive } from './ingestService.js';

export type RedriveDeps = {
  readonly find: (kind: Redrive['kind'], id: number) => Promise<HeldInput | undefined>;
  readonly run: (message: InboundMessage, redrive: Redrive) => Promise<IngestOutcome>;
  readonly markRedriven: (rejectionId: number, outcome: IngestOutcome['kind']) => Promise<void>;
};

/** The outcome of the re-drive, or undefined when there is no such held input. */
export async function redriveHeld(deps: RedriveDeps, redrive: Redrive): Promise<IngestOutcome | undefined> {
  const held = await deps.find(redrive.kind, redrive.id);
  if (held === undefined) return undefined;
  const outcome = await deps.run(inboundMessageOf(held), redrive);
  if (redrive.kind === 'rejected') await deps.markRedriven(redrive.id, outcome.kind);
  return outcome;
}

/** A held input as the message it was when received (its type and id are read again by the interpreter). */
export function inboundMessageOf(held: HeldInput): InboundMessage {
  return {
    receiptId: held.receiptId,
    receivedAt: held.receivedAt,
    channel: held.channel as InboundMessage['channel'],
    endpoint: held.endpoint,
    contentType: held.contentType,
    payload: held.payload,
    correlationId: held.correlationId,
    remoteAddress: held.remoteAddress,
    messageType: null,
    messageId: null,
  };
}
