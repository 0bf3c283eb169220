/**
 * The FHIR channel's interpreters, one per endpoint: parse the JSON, validate the R4 shape,
 * map resources (or Bundle entries) to facts. A transaction is atomic; a batch or a
 * subscription notification is taken entry by entry. Pure.
 */

import { fhirPathOf, jsonPointerOf, jsonTextLeaves } from '../../core/locateText.js';
import { err, ok, type Result } from '../../core/result.js';
import { describeViolation, findUnstorableCharacter } from '../../core/valueDomain.js';
import type { InboundMessage } from '../ingest/inboundMessage.js';
import type { IngestUnit, Interpretation, Interpreter } from '../ingest/ingestService.js';
import { jsonContentHash, parseCanonicalJson } from '../ingest/sourceContent.js';
import type { Rejection } from '../rejection.js';
import { type FhirBundleEntryMapping, mapFhirBundle, mapFhirResource } from './mapFhirToEvents.js';
import { fhirAnswerFor } from './toOperationOutcome.js';
import { type FhirEndpoint, rejectionForUnparseableJson, validateFhirRequest } from './validateFhirRequest.js';

export const fhirEndpoints: readonly FhirEndpoint[] = [
  'Encounter',
  'Condition',
  'MedicationRequest',
  'Bundle',
  'notification',
];
export const fhirEndpointName = (endpoint: FhirEndpoint) => `fhir:${endpoint}`;

/** What the HTTP answer needs beyond the facts: per entry, its key, and which unit (if any) carries it. */
export type FhirExtra =
  | { readonly shape: 'resource'; readonly resourceKey: string | undefined }
  | {
      readonly shape: 'transaction' | 'batch' | 'history';
      readonly entries: readonly {
        readonly resourceKey: string;
        readonly unit: number | undefined;
        readonly rejection: Rejection | undefined;
      }[];
    };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** JSON from UTF-8 bytes; bytes that are not UTF-8 are refused, never replaced by U+FFFD. */
function parseJson(payload: Uint8Array): Result<unknown, Rejection> {
  let text: string;
  try {
    text = strictUtf8.decode(payload);
  } catch {
    return err({ kind: 'unparseable', location: '', reason: 'the body is not valid UTF-8 (RFC 8259 requires UTF-8)' });
  }
  try {
    return ok(JSON.parse(text));
  } catch {
    return err(rejectionForUnparseableJson());
  }
}

/**
 * Text no element of any resource may hold, checked across the whole body before it is read: a
 * lone surrogate (`"\ud800"` is valid JSON but not Unicode; UTF-8 would turn it into U+FFFD) and NUL.
 */
function notUnicodeText(body: unknown): Rejection | undefined {
  const root = typeof body === 'object' && body !== null && 'resourceType' in body ? String(body.resourceType) : '';
  for (const leaf of jsonTextLeaves(body)) {
    const error = findUnstorableCharacter(leaf.text, { field: 'text', location: '' });
    if (error === undefined) continue;
    const location = root === '' ? jsonPointerOf(leaf.position) : fhirPathOf(root, leaf.position);
    return { kind: 'invalid-value', location, reason: describeViolation({ ...error, field: location, location }) };
  }
  return undefined;
}

export function interpretFhir(
  endpoint: FhirEndpoint,
  message: Pick<InboundMessage, 'payload' | 'receiptId' | 'remoteAddress'>,
): Interpretation<FhirExtra> {
  const json = parseJson(message.payload);
  if (!json.ok) return { kind: 'rejected', rejection: json.error };
  const unicode = notUnicodeText(json.value);
  if (unicode !== undefined) return { kind: 'rejected', rejection: unicode };
  const body = validateFhirRequest(endpoint, json.value);
  if (!body.ok) return { kind: 'rejected', rejection: body.error };
  const context = { receiptId: message.receiptId, system: 'fhir-client' };

  if (body.value.resourceType !== 'Bundle') {
    const mapped = mapFhirResource(body.value, context);
    if (!mapped.ok) return { kind: 'rejected', rejection: mapped.error };
    const resourceKey = mapped.value?.drafts[0]?.place;
    const content = { hash: jsonContentHash(canonicalBody(message)), location: `${body.value.resourceType}.id` };
    return {
      kind: 'facts',
      units: mapped.value === undefined ? [] : [{ ...mapped.value, content }],
      atomic: true,
      extra: { shape: 'resource', resourceKey },
    };
  }

  const bundle = mapFhirBundle(body.value, context);
  if (!bundle.ok) return { kind: 'rejected', rejection: bundle.error };
  const units: IngestUnit[] = [];
  const canonical = canonicalBody(message) as { entry?: readonly { resource?: unknown }[] } | undefined;
  const entries = bundle.value.entries.map((entry: FhirBundleEntryMapping) => {
    if (!entry.result.ok) return { resourceKey: entry.resourceKey, unit: undefined, rejection: entry.result.error };
    if (entry.result.value === undefined)
      return { resourceKey: entry.resourceKey, unit: undefined, rejection: undefined };
    const resource = canonical?.entry?.[entry.index]?.resource;
    const content = { hash: jsonContentHash(resource), location: `Bundle.entry[${entry.index}].resource.id` };
    units.push({ ...entry.result.value, content });
    return { resourceKey: entry.resourceKey, unit: units.length - 1, rejection: undefined };
  });
  return {
    kind: 'facts',
    units,
    atomic: bundle.value.type === 'transaction',
    rejectedParts: entries.flatMap((entry) => (entry.rejection === undefined ? [] : [entry.rejection])),
    extra: { shape: bundle.value.type, entries },
  };
}

/** The body in canonical form, for the content hash of a resource (producers/ingest/sourceContent.ts). */
const canonicalBody = (message: Pick<InboundMessage, 'payload'>): unknown =>
  parseCanonicalJson(Buffer.from(message.payload).toString('utf8'));

export function fhirInterpreterFor(endpoint: FhirEndpoint): Interpreter {
  return (message) => interpretFhir(endpoint, message);
}

export const fhirAnswerOf = (rejection: Rejection): string => `HTTP ${fhirAnswerFor[rejection.kind].httpStatus}`;
