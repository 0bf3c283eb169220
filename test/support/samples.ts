/** The behaviour contract: sample inputs and their expected outcomes, read from test/samples/. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NeutralEvent } from './neutralEvent.js';

export const SAMPLES_DIR = new URL('../samples/', import.meta.url).pathname;

export type ExpectedOutcome = {
  readonly input: string;
  readonly channel: 'hl7v2' | 'fhir' | 'json';
  readonly request?: string;
  readonly outcome: 'accepted' | 'ignored' | 'rejected' | 'duplicate' | 'parked';
  readonly ack?: 'AA' | 'AE' | 'AR';
  readonly httpStatus?: number;
  readonly error?: {
    readonly reason: string;
    readonly location: string;
    readonly hl7ErrorCode?: string;
    readonly fhirIssueCode?: string;
  };
  readonly events: readonly NeutralEvent[];
  readonly eventsWhenResolved?: readonly NeutralEvent[];
  readonly after?: readonly string[];
  readonly duplicateOf?: string;
  readonly parkedOn?: { readonly mrn: string; readonly assigningAuthority: string };
  readonly resolvedThrough?: {
    readonly mrn: string;
    readonly assigningAuthority: string;
    readonly nhsNumber: string;
    readonly learnedFrom: string;
  };
  readonly sourceIdentity?: {
    readonly sendingApplication: string;
    readonly sendingFacility: string;
    readonly controlId: string;
  } | null;
  readonly learnsIdentity?: unknown;
  readonly decoded?: Readonly<Record<string, string>>;
};

export function expectedOutcomes(channel?: ExpectedOutcome['channel']): readonly ExpectedOutcome[] {
  return readdirSync(join(SAMPLES_DIR, 'expected'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(SAMPLES_DIR, 'expected', f), 'utf8')) as ExpectedOutcome)
    .filter((e) => channel === undefined || e.channel === channel);
}

export function sampleBytes(input: string): Uint8Array {
  return readFileSync(join(SAMPLES_DIR, input));
}
