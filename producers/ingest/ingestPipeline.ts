/**
 * The pipeline every channel shares, for one inbound message: keep the raw receipt first,
 * interpret (parse, validate, map: pure, per channel), refuse a source identity reused with
 * other content, resolve the patient (or park), skip facts already published, publish the new
 * ones and only then record them, and hand the identities learned to the release scheduler.
 * Everything that can fail on PostgreSQL happens before the publish; after Kafka's
 * acknowledgement only the ledger write remains, and it never fails the message. Its awaits
 * are its side effects. I/O.
 */
import type { Logger } from '../../platform/logger.js';
import { completeEvents } from '../eventDraft.js';
import { decidePatient, type PatientDecision } from '../patient/decidePatient.js';
import { PublishUnavailableError } from '../publish/kafkaPublisher.js';
import type { Rejection } from '../rejection.js';
import type { ParkReason } from './heldInputs.js';
import { createIdentityTurns } from './identityTurns.js';
import type { InboundMessage } from './inboundMessage.js';
import type { IngestLedger, LearnedMapping } from './ingestLedger.js';
import type { IngestDeps, IngestOutcome, IngestUnit, Interpretation, Redrive } from './ingestService.js';
import { reusedIdentifierRejection, sourceIdentityOf } from './sourceContent.js';

/** Where held inputs are written (PostgreSQL in the service, fakes in tests). */
export type HeldInputsStore = {
  keepRejected(message: InboundMessage, rejection: Rejection, answer: string): Promise<number>;
  parkInput(message: InboundMessage, why: ParkReason): Promise<number>;
  resolveParked(parkId: number, resolution: string): Promise<void>;
};

export type PipelineDeps = Pick<IngestDeps, 'publisher' | 'interpreters'> & {
  readonly logger: Logger;
  readonly ledger: Pick<IngestLedger, 'readKnownFacts' | 'recordAccepted'>;
  readonly held: HeldInputsStore;
  /** An input was parked (committed): look once more for the mapping it waits on. */
  readonly parked: (waitingOn: ParkReason['waitingOn']) => void;
  /** Mappings were learned: release what waited on them. */
  readonly learned: (learned: readonly LearnedMapping[]) => void;
};

type Channel = IngestDeps['interpreters'] extends ReadonlyMap<string, infer C> ? C : never;

export type IngestPipeline = (message: InboundMessage, redrive: Redrive | undefined) => Promise<IngestOutcome>;

export function createIngestPipeline(deps: PipelineDeps): IngestPipeline {
  const log = deps.logger.child({ module: 'ingest' });
  const { publisher } = deps;
  const turns = createIdentityTurns();

  const park = async (message: InboundMessage, why: ParkReason): Promise<number> => {
    const parkId = await deps.held.parkInput(message, why);
    deps.parked(why.waitingOn);
    return parkId;
  };

  /** Keeps a refused input (unless it is one being re-driven) and mirrors it on the rejected-inputs topic. */
  const keepRejected = async (
    message: InboundMessage,
    rejection: Rejection,
    answer: string,
    redrive: Redrive | undefined,
  ): Promise<void> => {
    if (redrive?.kind !== 'rejected') await deps.held.keepRejected(message, rejection, answer);
    await publisher
      .publishRejected(message, rejection, answer)
      .catch((error: unknown) =>
        log.warn({ err: error, correlationId: message.correlationId }, 'rejected input kept in PostgreSQL only'),
      );
  };

  /** The message once it holds the turn of its identities: read, decide, publish, record. */
  const runInTurn = async (
    message: InboundMessage,
    redrive: Redrive | undefined,
    channel: Channel,
    receipt: Promise<Settled<void>> | undefined,
    interpretation: Interpretation,
    identities: readonly string[],
  ): Promise<IngestOutcome> => {
    const { correlationId, receiptId } = message;
    const reading =
      interpretation.kind === 'facts'
        ? settled(
            deps.ledger.readKnownFacts(
              interpretation.units.map((u) => u.patient),
              interpretation.units.flatMap((u) => u.drafts.map((d) => d.dedupKey)),
              identities,
            ),
          )
        : undefined;
    const receipted = await receipt;
    if (receipted?.ok === false) {
      // The message is answered "resend"; its reads no longer matter.
      if (receipted.error instanceof PublishUnavailableError)
        return { kind: 'unavailable', correlationId, reason: receipted.error.message };
      throw receipted.error;
    }
    const refuse = async (rejection: Rejection): Promise<IngestOutcome> => {
      await keepRejected(message, rejection, channel.answerOf(rejection), redrive);
      log.info({ correlationId, reasonCode: rejection.kind, location: rejection.location }, 'input rejected');
      return { kind: 'rejected', correlationId, receiptId, rejection, interpretation };
    };
    if (interpretation.kind === 'rejected') return refuse(interpretation.rejection);
    if (interpretation.kind === 'ignored') {
      return { kind: 'ignored', correlationId, receiptId, reason: interpretation.reason, interpretation };
    }

    const read = await reading;
    if (read === undefined) throw new Error('facts without a database read');
    if (!read.ok) throw read.error;
    const known = read.value;

    // The same identity with other content is not a resend: refused, never answered as a duplicate.
    const reused = interpretation.units.flatMap((unit, index) => {
      const accepted = known.contentHashes.get(identities[index] ?? '');
      return accepted === undefined || accepted === unit.content.hash
        ? []
        : [{ unit: index, rejection: reusedIdentifierRejection(unit.source, unit.content.location) }];
    });
    const [firstReused] = reused;
    if (firstReused !== undefined && (interpretation.atomic || reused.length === interpretation.units.length))
      return refuse(firstReused.rejection);
    const refusedUnits = new Set(reused.map((r) => r.unit));

    const decided: { index: number; unit: IngestUnit; decision: PatientDecision }[] = interpretation.units.flatMap(
      (unit, index) =>
        refusedUnits.has(index)
          ? []
          : [{ index, unit, decision: decidePatient(unit.patient, known.mappingsByPatient[index] ?? []) }],
    );
    const held = decided.filter((d) => d.decision.kind !== 'resolved');
    const [firstHeld] = held;
    if (firstHeld !== undefined && (interpretation.atomic || held.length === decided.length)) {
      const reason = parkReasonOf(firstHeld.decision);
      const parkId = redrive?.kind === 'parked' ? redrive.id : await park(message, reason);
      log.warn({ correlationId, parkId, reasonCode: reason.code }, 'input parked');
      return { kind: 'parked', correlationId, receiptId, parkId, reason, interpretation };
    }

    const resolved = decided.flatMap((d) =>
      d.decision.kind === 'resolved'
        ? [{ unit: d.unit, identity: identities[d.index] ?? '', decision: d.decision }]
        : [],
    );
    const eventsByUnit = resolved.map(({ unit, decision }) =>
      completeEvents({
        drafts: unit.drafts,
        patient: {
          nhsNumber: decision.nhsNumber,
          nhsNumberVerificationStatus: unit.patient.nhsNumberVerificationStatus,
          localIdentifiers: unit.patient.localIdentifiers,
        },
        source: unit.source,
        recordedAt: message.receivedAt,
        correlationId,
      }),
    );
    const events = eventsByUnit.flat();
    const isFresh = (e: { readonly dedupKey: string }) => !known.published.has(e.dedupKey);
    const fresh = events.filter(isFresh);

    // Whatever else this message writes to PostgreSQL is written before the publish, so that
    // nothing can fail once Kafka has the events (a failure here is answered "resend", truly).
    if (held.length > 0 && redrive?.kind !== 'parked') {
      const [partial] = held;
      if (partial !== undefined) await park(message, parkReasonOf(partial.decision));
    }
    const rejectedParts = [...(interpretation.rejectedParts ?? []), ...reused.map((r) => r.rejection)];
    const [firstPart, ...moreParts] = rejectedParts;
    if (firstPart !== undefined && redrive?.kind !== 'rejected') {
      const partly: Rejection = {
        ...firstPart,
        reason:
          moreParts.length === 0
            ? `1 part not taken: ${firstPart.reason}`
            : `${moreParts.length + 1} parts not taken; the first: ${firstPart.reason}`,
      };
      await keepRejected(
        message,
        partly,
        `${channel.answerOf(firstPart)} (in its part; the rest of the message was taken)`,
        redrive,
      );
      log.info(
        { correlationId, reasonCode: firstPart.kind, location: firstPart.location, parts: moreParts.length + 1 },
        'parts of an input rejected',
      );
    }

    try {
      await publisher.publishEvents(fresh);
    } catch (error) {
      if (error instanceof PublishUnavailableError)
        return { kind: 'unavailable', correlationId, reason: error.message };
      throw error;
    }
    // Only after the ack: a crash in between duplicates, never loses. The write never rejects
    // (a failed one is kept and retried), so the answer below is the truth: it is on the log.
    const learned = await deps.ledger.recordAccepted({
      events: fresh,
      learnings: resolved.map(({ decision }) => ({ nhsNumber: decision.nhsNumber, locals: decision.learns })),
      // The content an identity was first accepted with: kept once a unit published something.
      sources: resolved.flatMap(({ unit, identity }, i) =>
        (eventsByUnit[i] ?? []).some(isFresh) ? [{ identity, contentHash: unit.content.hash }] : [],
      ),
      receiptId,
    });
    if (redrive?.kind === 'parked' && held.length === 0)
      await deps.held.resolveParked(redrive.id, `released: ${fresh.length} events`);
    deps.learned(learned);

    const refused = reused.map((r) => ({ unit: r.unit, rejection: r.rejection }));
    if (fresh.length === 0 && events.length > 0) {
      log.info({ correlationId, events: events.length }, 'duplicate input; nothing new published');
      return { kind: 'duplicate', correlationId, receiptId, events, refusedUnits: refused, interpretation };
    }
    log.info({ correlationId, published: fresh.length, parkedUnits: held.length }, 'input accepted');
    return {
      kind: 'accepted',
      correlationId,
      receiptId,
      events,
      newEventIds: fresh.map((e) => e.eventId),
      parkedUnits: held.map((h) => h.index),
      refusedUnits: refused,
      interpretation,
    };
  };

  return async function run(message, redrive) {
    const channel = deps.interpreters.get(message.endpoint);
    if (channel === undefined) throw new Error(`no interpreter for endpoint ${message.endpoint}`);
    // The raw receipt is in flight while the message is interpreted and the database read;
    // nothing is written or answered until Kafka has acknowledged it.
    // Both settle into values at once, so neither can reject with no one listening yet.
    const receipt = redrive === undefined ? settled(publisher.publishReceipt(message)) : undefined;
    const interpretation = channel.interpret(message);
    const identities =
      interpretation.kind === 'facts' ? interpretation.units.map((u) => sourceIdentityOf(u.source)) : [];
    // An earlier copy of the same identity still in flight is answered first: this one then reads what it recorded.
    const endTurn = identities.length > 0 ? await turns.take(identities) : undefined;
    try {
      return await runInTurn(message, redrive, channel, receipt, interpretation, identities);
    } finally {
      endTurn?.();
    }
  };
}

type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** A promise that always fulfils, with the value or the error. */
const settled = <T>(promise: Promise<T>): Promise<Settled<T>> =>
  promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );

function parkReasonOf(decision: PatientDecision): ParkReason {
  if (decision.kind === 'park') {
    return {
      code: 'patient-unresolved',
      reason: decision.reason,
      waitingOn: { authority: decision.waitingOn.authority, value: decision.waitingOn.value },
    };
  }
  // A conflict waits on a person, not on a mapping: it is never released automatically.
  if (decision.kind === 'conflict') return { code: 'identity-conflict', reason: decision.reason, waitingOn: undefined };
  return { code: 'patient-unresolved', reason: 'resolved', waitingOn: undefined };
}
