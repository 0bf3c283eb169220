/**
 * The ingest service every channel calls: the pipeline (`ingestPipeline.ts`) for a message
 * received, the release scheduler (`releaseScheduler.ts`) for parked inputs whose patient
 * becomes known, and the operator's re-drive (`redriveHeld.ts`), over one ledger
 * (`ingestLedger.ts`) and the held-input tables (`heldInputs.ts`). The types here are the
 * contract with the channels. I/O.
 */
import type { Logger } from '../../platform/logger.js';
import { isTransientPgError, type Pool } from '../../platform/postgres.js';
import type { ClinicalEvent } from '../../schemas/generated/events.js';
import type { MappedFacts } from '../eventDraft.js';
import type { Publisher } from '../publish/kafkaPublisher.js';
import type { Rejection } from '../rejection.js';
import {
  findHeld,
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
import { createIngestPipeline } from './ingestPipeline.js';
import { inboundMessageOf, redriveHeld } from './redriveHeld.js';
import { createReleaseScheduler } from './releaseScheduler.js';
import type { SourceContent } from './sourceContent.js';

/**
 * The facts of one source message (or Bundle entry) with what its channel says about its
 * content: the hash that tells a resend (same content) from a reused identity (other content).
 */
export type IngestUnit = MappedFacts & { readonly content: SourceContent };

/** What a channel makes of a message's bytes. Pure, supplied per endpoint. */
export type Interpretation<Extra = unknown> =
  | { readonly kind: 'rejected'; readonly rejection: Rejection; readonly extra?: Extra }
  | { readonly kind: 'ignored'; readonly reason: string; readonly extra?: Extra }
  | {
      readonly kind: 'facts';
      readonly units: readonly IngestUnit[];
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

export type RefusedUnit = { readonly unit: number; readonly rejection: Rejection };

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
      /** Units refused while the rest was taken (non-atomic messages only): a source identity reused with other content. */
      readonly refusedUnits: readonly RefusedUnit[];
      readonly interpretation: Interpretation;
    }
  | {
      readonly kind: 'duplicate';
      readonly correlationId: string;
      readonly receiptId: string;
      readonly events: readonly ClinicalEvent[];
      readonly refusedUnits: readonly RefusedUnit[];
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

export type Redrive = { readonly kind: 'parked' | 'rejected'; readonly id: number };

export function createIngestService(deps: IngestDeps): IngestService {
  const log = deps.logger.child({ module: 'ingest' });
  const { pool } = deps;
  const ledger = createIngestLedger(pool, {
    logger: deps.logger,
    onRecordedLater: (learned) => scheduler.learned(learned),
  });
  const pipeline = createIngestPipeline({
    publisher: deps.publisher,
    interpreters: deps.interpreters,
    logger: deps.logger,
    ledger,
    held: {
      keepRejected: (message, rejection, answer) => keepRejected(pool, message, rejection, answer),
      parkInput: (message, why) => parkInput(pool, message, why),
      resolveParked: (parkId, resolution) => resolveParked(pool, parkId, resolution),
    },
    parked: (waitingOn) => scheduler.parked(waitingOn),
    learned: (learned) => scheduler.learned(learned),
  });
  const scheduler = createReleaseScheduler({
    find: {
      waitingOn: (learned) => parkedWaitingOn(pool, learned),
      nowResolvable: (waitingOn) => parkedNowResolvable(pool, waitingOn),
    },
    release: (held) => pipeline(inboundMessageOf(held), { kind: 'parked', id: held.id }),
    logger: deps.logger,
  });

  return {
    async ingest(message) {
      try {
        return await pipeline(message, undefined);
      } catch (error) {
        // PostgreSQL lost or unreachable before anything was published (after the ack nothing
        // can fail): every channel answers its "not stored, resend" (AR 207, 503).
        if (!isTransientPgError(error)) throw error;
        log.warn({ err: error, correlationId: message.correlationId }, 'database unavailable; input not accepted');
        return { kind: 'unavailable', correlationId: message.correlationId, reason: 'the database is unavailable' };
      }
    },
    redrive: (kind, id) =>
      redriveHeld(
        {
          find: (k, i) => findHeld(pool, k, i),
          run: pipeline,
          markRedriven: (rejectionId, outcome) => markRedriven(pool, rejectionId, outcome),
        },
        { kind, id },
      ),
    idle: async () => {
      await ledger.settled();
      await scheduler.idle();
    },
    releaseResolvable: () => scheduler.sweep(),
    async close() {
      await scheduler.close();
      await ledger.close();
    },
  };
}
