/**
 * The pipeline every channel shares, for one inbound message: keep the raw receipt first,
 * interpret (parse, validate, map: pure, per channel), resolve the patient (or park), skip
 * facts already published, publish the new ones and only then record them, learn identities,
 * and release parked messages the new identities unblock. Its awaits are its side effects.
 * I/O.
 */
import type { Logger } from '../../platform/logger.js';
import { isTransientPgError, type Pool } from '../../platform/postgres.js';
import type { ClinicalEvent } from '../../schemas/generated/events.js';
import { completeEvents, type MappedFacts } from '../eventDraft.js';
import { decidePatient, type PatientDecision } from '../patient/decidePatient.js';
import { type Publisher, PublishUnavailableError } from '../publish/kafkaPublisher.js';
import type { Rejection } from '../rejection.js';
import {
  findHeld,
  type HeldInput,
  keepRejected,
  markRedriven,
  type ParkReason,
  parkedNowResolvable,
  parkedWaitingOn,
  parkInput,
  resolveParked,
} from './heldInputs.js';
import type { InboundMessage } from './inboundMessage.js';
import { createIngestLedger } from './ingestLedger.js';

/** What a channel makes of a message's bytes. Pure, supplied per endpoint. */
export type Interpretation<Extra = unknown> =
  | { readonly kind: 'rejected'; readonly rejection: Rejection; readonly extra?: Extra }
  | { readonly kind: 'ignored'; readonly reason: string; readonly extra?: Extra }
  | {
      readonly kind: 'facts';
      readonly units: readonly MappedFacts[];
      /** All units or none (an HL7 message, a FHIR transaction); otherwise each unit on its own. */
      readonly atomic: boolean;
      /**
       * Parts of a non-atomic message that could not be taken (a FHIR batch or notification
       * entry): answered in place, and the message is also kept as a rejected input with them,
       * so that nothing a sender will not resend is lost. A re-drive resends the whole message;
       * the parts taken before are duplicates by then.
       */
      readonly rejectedParts?: readonly Rejection[];
      readonly extra?: Extra;
    };

export type Interpreter = (message: InboundMessage) => Interpretation;

/** How the channel answers a rejection (AE, AR, HTTP 422 …), recorded with the rejected input. */
export type AnswerOf = (rejection: Rejection) => string;

export type IngestOutcome =
  | {
      readonly kind: 'accepted';
      readonly correlationId: string;
      readonly receiptId: string;
      /** Every event of the message, new ones and ones published before. */
      readonly events: readonly ClinicalEvent[];
      readonly newEventIds: readonly string[];
      /** Indexes (into the interpretation's units) held back because their patient is not identifiable yet (non-atomic messages only). */
      readonly parkedUnits: readonly number[];
      readonly interpretation: Interpretation;
    }
  | {
      readonly kind: 'duplicate';
      readonly correlationId: string;
      readonly receiptId: string;
      readonly events: readonly ClinicalEvent[];
      readonly interpretation: Interpretation;
    }
  | {
      readonly kind: 'parked';
      readonly correlationId: string;
      readonly receiptId: string;
      readonly parkId: number;
      readonly reason: ParkReason;
      readonly interpretation: Interpretation;
    }
  | {
      readonly kind: 'ignored';
      readonly correlationId: string;
      readonly receiptId: string;
      readonly reason: string;
      readonly interpretation: Interpretation;
    }
  | {
      readonly kind: 'rejected';
      readonly correlationId: string;
      readonly receiptId: string;
      readonly rejection: Rejection;
      readonly interpretation: Interpretation;
    }
  | { readonly kind: 'unavailable'; readonly correlationId: string; readonly reason: string };

export type IngestService = {
  ingest(message: InboundMessage): Promise<IngestOutcome>;
  /** Runs a held input through the pipeline again (after a fix, or when its patient became known). */
  redrive(kind: 'parked' | 'rejected', id: number): Promise<IngestOutcome | undefined>;
  /** Resolves once releases triggered so far have run (tests and shutdown). */
  idle(): Promise<void>;
  /** Releases every parked input whose patient can be identified now; run at start (a crash may have left some). */
  releaseResolvable(): Promise<void>;
  /** Stops retrying failed releases, and waits for the one in hand. */
  close(): Promise<void>;
};

export type IngestDeps = {
  readonly pool: Pool;
  readonly publisher: Publisher;
  readonly logger: Logger;
  /** Interpreter by endpoint name (`mllp`, `fhir:Condition`, `json` …). */
  readonly interpreters: ReadonlyMap<string, { readonly interpret: Interpreter; readonly answerOf: AnswerOf }>;
};

type Redrive = { readonly kind: 'parked' | 'rejected'; readonly id: number };

export function createIngestService(deps: IngestDeps): IngestService {
  const log = deps.logger.child({ module: 'ingest' });
  const ledger = createIngestLedger(deps.pool);
  let releases: Promise<void> = Promise.resolve();
  /** Sweeps in a row that failed; the next waits longer (1 s doubling up to a minute). */
  let failedSweeps = 0;
  let sweepTimer: NodeJS.Timeout | undefined;
  let closed = false;

  /** Runs held inputs through the pipeline again, serially in park order: one released may teach what unblocks the next. */
  const releaseAll = async (find: () => Promise<readonly HeldInput[]>): Promise<void> => {
    for (const held of await find()) {
      const outcome = await run(messageOf(held), { kind: 'parked', id: held.id });
      log.info({ parkId: held.id, correlationId: held.correlationId, outcome: outcome.kind }, 'parked input released');
    }
  };

  const enqueueRelease = (find: () => Promise<readonly HeldInput[]>) => {
    releases = releases
      .then(() => releaseAll(find))
      .then(() => {
        failedSweeps = 0;
      })
      .catch((error: unknown) => {
        // Still parked, never lost: look again for every parked input whose patient is known now.
        failedSweeps += 1;
        const inMs = Math.min(60_000, 1000 * 2 ** (failedSweeps - 1));
        log.error(
          { err: error, retryInMs: inMs },
          'releasing parked inputs failed; they stay parked and are tried again',
        );
        clearTimeout(sweepTimer);
        if (!closed) sweepTimer = setTimeout(sweep, inMs);
      });
  };

  const release = (learned: readonly { authority: string; localId: string }[]) => {
    if (learned.length > 0) enqueueRelease(() => parkedWaitingOn(deps.pool, learned));
  };

  /** Releases every parked input whose patient can be identified now (after a failed release, and at start). */
  const sweep = () => enqueueRelease(() => parkedNowResolvable(deps.pool));

  /**
   * A new park looks once more for its mapping, after the park has committed: a message that
   * taught it may have released what was waiting just before this input was parked. (Either
   * this look or that message's release runs after both commits, so neither misses it.)
   */
  const parked = async (message: InboundMessage, why: ParkReason): Promise<number> => {
    const parkId = await parkInput(deps.pool, message, why);
    const { waitingOn } = why;
    if (waitingOn !== undefined) enqueueRelease(() => parkedNowResolvable(deps.pool, waitingOn));
    return parkId;
  };

  async function run(message: InboundMessage, redrive: Redrive | undefined): Promise<IngestOutcome> {
    const { correlationId, receiptId } = message;
    const channel = deps.interpreters.get(message.endpoint);
    if (channel === undefined) throw new Error(`no interpreter for endpoint ${message.endpoint}`);
    // The raw receipt is in flight while the message is interpreted and the database read;
    // nothing is written or answered until Kafka has acknowledged it.
    // Both settle into values at once, so neither can reject with no one listening yet.
    const receipt = redrive === undefined ? settled(deps.publisher.publishReceipt(message)) : undefined;
    const interpretation = channel.interpret(message);
    const reading =
      interpretation.kind === 'facts'
        ? settled(
            ledger.readKnownFacts(
              interpretation.units.map((u) => u.patient),
              interpretation.units.flatMap((u) => u.drafts.map((d) => d.dedupKey)),
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
    if (interpretation.kind === 'rejected') {
      const answer = channel.answerOf(interpretation.rejection);
      if (redrive?.kind !== 'rejected') await keepRejected(deps.pool, message, interpretation.rejection, answer);
      await deps.publisher
        .publishRejected(message, interpretation.rejection, answer)
        .catch((error: unknown) => log.warn({ err: error, correlationId }, 'rejected input kept in PostgreSQL only'));
      log.info(
        { correlationId, reasonCode: interpretation.rejection.kind, location: interpretation.rejection.location },
        'input rejected',
      );
      return { kind: 'rejected', correlationId, receiptId, rejection: interpretation.rejection, interpretation };
    }
    if (interpretation.kind === 'ignored') {
      return { kind: 'ignored', correlationId, receiptId, reason: interpretation.reason, interpretation };
    }

    const read = await reading;
    if (read === undefined) throw new Error('facts without a database read');
    if (!read.ok) throw read.error;
    const known = read.value;
    const decided: { index: number; unit: MappedFacts; decision: PatientDecision }[] = interpretation.units.map(
      (unit, index) => ({
        index,
        unit,
        decision: decidePatient(unit.patient, known.mappingsByPatient[index] ?? []),
      }),
    );
    const held = decided.filter((d) => d.decision.kind !== 'resolved');
    const [firstHeld] = held;
    if (firstHeld !== undefined && (interpretation.atomic || held.length === decided.length)) {
      const reason = parkReasonOf(firstHeld.decision);
      const parkId = redrive?.kind === 'parked' ? redrive.id : await parked(message, reason);
      log.warn({ correlationId, parkId, reasonCode: reason.code }, 'input parked');
      return { kind: 'parked', correlationId, receiptId, parkId, reason, interpretation };
    }

    const resolved = decided.flatMap((d) =>
      d.decision.kind === 'resolved' ? [{ unit: d.unit, decision: d.decision }] : [],
    );
    const events = resolved.flatMap(({ unit, decision }) =>
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
    const fresh = events.filter((e) => !known.published.has(e.dedupKey));
    try {
      await deps.publisher.publishEvents(fresh);
    } catch (error) {
      if (error instanceof PublishUnavailableError)
        return { kind: 'unavailable', correlationId, reason: error.message };
      throw error;
    }
    // Only after the ack: a crash in between duplicates, never loses.
    const learned = await ledger.recordAccepted({
      events: fresh,
      learnings: resolved.map(({ decision }) => ({ nhsNumber: decision.nhsNumber, locals: decision.learns })),
      receiptId,
    });
    if (held.length > 0 && redrive?.kind !== 'parked') {
      const [partial] = held;
      if (partial !== undefined) await parked(message, parkReasonOf(partial.decision));
    }
    if (redrive?.kind === 'parked' && held.length === 0)
      await resolveParked(deps.pool, redrive.id, `released: ${fresh.length} events`);
    release(learned);
    const [firstPart, ...moreParts] = interpretation.rejectedParts ?? [];
    if (firstPart !== undefined && redrive?.kind !== 'rejected') {
      const partly: Rejection = {
        ...firstPart,
        reason:
          moreParts.length === 0
            ? `1 part not taken: ${firstPart.reason}`
            : `${moreParts.length + 1} parts not taken; the first: ${firstPart.reason}`,
      };
      const answer = `${channel.answerOf(firstPart)} (in its part; the rest of the message was taken)`;
      await keepRejected(deps.pool, message, partly, answer);
      await deps.publisher
        .publishRejected(message, partly, answer)
        .catch((error: unknown) => log.warn({ err: error, correlationId }, 'rejected input kept in PostgreSQL only'));
      log.info(
        { correlationId, reasonCode: firstPart.kind, location: firstPart.location, parts: moreParts.length + 1 },
        'parts of an input rejected',
      );
    }

    if (fresh.length === 0 && events.length > 0) {
      log.info({ correlationId, events: events.length }, 'duplicate input; nothing new published');
      return { kind: 'duplicate', correlationId, receiptId, events, interpretation };
    }
    log.info({ correlationId, published: fresh.length, parkedUnits: held.length }, 'input accepted');
    return {
      kind: 'accepted',
      correlationId,
      receiptId,
      events,
      newEventIds: fresh.map((e) => e.eventId),
      parkedUnits: held.map((h) => h.index),
      interpretation,
    };
  }

  return {
    async ingest(message) {
      try {
        return await run(message, undefined);
      } catch (error) {
        // PostgreSQL lost or unreachable: nothing was accepted, so every channel answers its
        // "not stored, resend" (AR 207, 503). A resend of what did reach the log is a duplicate.
        if (!isTransientPgError(error)) throw error;
        log.warn({ err: error, correlationId: message.correlationId }, 'database unavailable; input not accepted');
        return { kind: 'unavailable', correlationId: message.correlationId, reason: 'the database is unavailable' };
      }
    },
    async redrive(kind, id) {
      const held = await findHeld(deps.pool, kind, id);
      if (held === undefined) return undefined;
      const outcome = await run(messageOf(held), { kind, id });
      if (kind === 'rejected') await markRedriven(deps.pool, id, outcome.kind);
      return outcome;
    },
    idle: () => releases,
    releaseResolvable() {
      sweep();
      return releases;
    },
    async close() {
      closed = true;
      clearTimeout(sweepTimer);
      await releases;
    },
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

function messageOf(held: HeldInput): InboundMessage {
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
