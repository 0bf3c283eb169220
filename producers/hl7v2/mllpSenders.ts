/**
 * The MLLP sender allow-list: which peers may send HL7 v2 to us, and which MSH-3 (sending
 * application) / MSH-4 (sending facility) each may claim. `parseMllpSenders` reads the JSON of
 * MLLP_SENDERS_FILE (validated by JSON Schema, naming the bad entry); `checkMllpSender` decides
 * one message. Pure: the caller reads the file and knows the connection.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { err, ok, type Result } from '../../core/result.js';

/** One declared integration sender. An identifier kind it declares must match; one it omits is not checked. */
export type MllpSender = {
  readonly name: string;
  /** Remote IP addresses (IPv4-mapped IPv6 written as IPv4); undefined: any address. */
  readonly addresses: readonly string[] | undefined;
  /** Client certificate subjects, e.g. `CN=pas.trust.nhs.uk`; undefined: no certificate required. */
  readonly certificateSubjects: readonly (readonly SubjectAttribute[])[] | undefined;
  /** MSH-3.1 values it may send; undefined: any. */
  readonly sendingApplications: readonly string[] | undefined;
  /** MSH-4.1 values it may send; undefined: any. */
  readonly sendingFacilities: readonly string[] | undefined;
};

export type SubjectAttribute = { readonly key: string; readonly value: string };

/**
 * `declared`: the senders of MLLP_SENDERS_FILE. `development`: no file, so one implied sender,
 * any MSH-3/MSH-4 over the plain listener (which binds LISTEN_HOST, 127.0.0.1 unless set), none
 * over TLS.
 */
export type MllpSenders =
  | { readonly kind: 'declared'; readonly senders: readonly MllpSender[] }
  | { readonly kind: 'development' };

export const developmentSenders: MllpSenders = { kind: 'development' };

/** What the listener knows of a connection. */
export type MllpPeer = {
  readonly transport: 'tls' | 'plain';
  /** `peerOf(remoteAddress)`: no port, IPv4-mapped written as IPv4. */
  readonly address: string;
  /** The client certificate's subject when the CA verified it; undefined otherwise. */
  readonly certificateSubject: Readonly<Record<string, string | readonly string[]>> | undefined;
};

/** MSH-3.1 and MSH-4.1 as sent ('' when absent). */
export type MllpClaim = { readonly sendingApplication: string; readonly sendingFacility: string };

export type SenderDecision =
  | { readonly kind: 'allowed'; readonly sender: string }
  /** No declared sender is this peer. */
  | { readonly kind: 'undeclared-peer' }
  /** The peer is a declared sender, but may not send this MSH-3/MSH-4; `owner` the sender who may, when one does. */
  | {
      readonly kind: 'unclaimable';
      readonly senders: readonly string[];
      readonly owner: string | undefined;
      readonly location: 'MSH-3' | 'MSH-4';
    };

const nonEmptyStrings = {
  type: 'array',
  minItems: 1,
  items: { type: 'string', minLength: 1, maxLength: 255 },
} as const;

const sendersFileSchema = {
  type: 'object',
  required: ['senders'],
  additionalProperties: false,
  properties: {
    senders: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        anyOf: [{ required: ['addresses'] }, { required: ['certificateSubjects'] }],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 100 },
          addresses: nonEmptyStrings,
          certificateSubjects: nonEmptyStrings,
          sendingApplications: nonEmptyStrings,
          sendingFacilities: nonEmptyStrings,
        },
      },
    },
  },
} as const;

type SendersFile = {
  senders: {
    name: string;
    addresses?: string[];
    certificateSubjects?: string[];
    sendingApplications?: string[];
    sendingFacilities?: string[];
  }[];
};

const validateSendersFile = new Ajv({ allErrors: false, strict: false }).compile<SendersFile>(sendersFileSchema);

function describeSchemaError(error: ErrorObject, file: unknown): string {
  const where = error.instancePath === '' ? 'the file' : error.instancePath;
  const index = /^\/senders\/(\d+)/.exec(error.instancePath)?.[1];
  const entries = (file as { senders?: unknown }).senders;
  const entry = index === undefined || !Array.isArray(entries) ? undefined : (entries[Number(index)] as unknown);
  const name =
    typeof entry === 'object' && entry !== null && typeof (entry as { name?: unknown }).name === 'string'
      ? ` (sender "${(entry as { name: string }).name}")`
      : '';
  const message =
    error.keyword === 'anyOf' || error.schemaPath.includes('/anyOf/')
      ? 'must declare addresses or certificateSubjects (or both)'
      : error.keyword === 'additionalProperties'
        ? `unknown property "${String((error.params as { additionalProperty?: unknown }).additionalProperty)}"`
        : (error.message ?? 'is invalid');
  return `${where}${name}: ${message}`;
}

/** `CN=pas.trust.nhs.uk, O=Trust` as attributes; undefined when it is not key=value pairs. */
export function parseSubject(text: string): readonly SubjectAttribute[] | undefined {
  const parts = text
    .split(/[,/]/)
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const attributes: SubjectAttribute[] = [];
  for (const part of parts) {
    const match = /^([A-Za-z][A-Za-z0-9.]*)\s*=\s*(.+)$/.exec(part);
    if (match?.[1] === undefined || match[2] === undefined) return undefined;
    attributes.push({ key: match[1].toUpperCase(), value: match[2].trim() });
  }
  return attributes.length === 0 ? undefined : attributes;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const IPV6 = /^[0-9a-f:]+$/i;

function normalisedAddress(text: string): string | undefined {
  const address = text
    .trim()
    .toLowerCase()
    .replace(/^::ffff:(?=\d+\.)/, '');
  const v4 = IPV4.exec(address);
  if (v4 !== null) return v4.slice(1).every((octet) => Number(octet) <= 255) ? address : undefined;
  return IPV6.test(address) && address.includes(':') ? address : undefined;
}

/** The senders file's content, or the first problem, naming the entry (its index and name). */
export function parseMllpSenders(text: string): Result<MllpSenders, string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return err(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!validateSendersFile(json)) {
    const first = validateSendersFile.errors?.[0];
    return err(first === undefined ? 'invalid' : describeSchemaError(first, json));
  }
  const senders: MllpSender[] = [];
  const names = new Set<string>();
  const owners = new Map<string, string>();
  for (const [index, entry] of json.senders.entries()) {
    const at = `/senders/${index} (sender "${entry.name}")`;
    if (names.has(entry.name)) return err(`${at}: the name is used by an earlier sender`);
    names.add(entry.name);
    const addresses: string[] = [];
    for (const raw of entry.addresses ?? []) {
      const address = normalisedAddress(raw);
      if (address === undefined) return err(`${at}: "${raw}" is not an IP address`);
      addresses.push(address);
    }
    const subjects: (readonly SubjectAttribute[])[] = [];
    for (const raw of entry.certificateSubjects ?? []) {
      const subject = parseSubject(raw);
      if (subject === undefined) return err(`${at}: "${raw}" is not a certificate subject such as CN=host.example`);
      subjects.push(subject);
    }
    // Each MSH-3/MSH-4 pair has one owner: a message naming it can only come from that sender.
    for (const application of entry.sendingApplications ?? ['*']) {
      for (const facility of entry.sendingFacilities ?? ['*']) {
        const key = `${application}\u0000${facility}`;
        const owner = owners.get(key);
        if (owner !== undefined) {
          return err(
            `${at}: sending application ${application === '*' ? '(any)' : `"${application}"`} at facility ${facility === '*' ? '(any)' : `"${facility}"`} is already claimed by sender "${owner}"`,
          );
        }
        owners.set(key, entry.name);
      }
    }
    senders.push({
      name: entry.name,
      addresses: entry.addresses === undefined ? undefined : addresses,
      certificateSubjects: entry.certificateSubjects === undefined ? undefined : subjects,
      sendingApplications: entry.sendingApplications,
      sendingFacilities: entry.sendingFacilities,
    });
  }
  return ok({ kind: 'declared', senders });
}

function subjectMatches(
  declared: readonly SubjectAttribute[],
  actual: Readonly<Record<string, string | readonly string[]>>,
): boolean {
  const upper = new Map(Object.entries(actual).map(([key, value]) => [key.toUpperCase(), value]));
  return declared.every(({ key, value }) => {
    const held = upper.get(key);
    return typeof held === 'string' ? held === value : held?.includes(value) === true;
  });
}

/** Whether the connection is this sender: each identifier kind it declares matches. */
export function isSender(sender: MllpSender, peer: MllpPeer): boolean {
  if (sender.addresses !== undefined && !sender.addresses.includes(peer.address.toLowerCase())) return false;
  if (sender.certificateSubjects !== undefined) {
    const subject = peer.certificateSubject;
    if (peer.transport !== 'tls' || subject === undefined) return false;
    if (!sender.certificateSubjects.some((declared) => subjectMatches(declared, subject))) return false;
  }
  return true;
}

const mayClaim = (sender: MllpSender, claim: MllpClaim): boolean =>
  (sender.sendingApplications?.includes(claim.sendingApplication) ?? true) &&
  (sender.sendingFacilities?.includes(claim.sendingFacility) ?? true);

/** Whether a message claiming this MSH-3/MSH-4 may come from this peer. */
export function checkMllpSender(senders: MllpSenders, peer: MllpPeer, claim: MllpClaim): SenderDecision {
  if (senders.kind === 'development') {
    return peer.transport === 'plain' ? { kind: 'allowed', sender: 'development' } : { kind: 'undeclared-peer' };
  }
  const candidates = senders.senders.filter((sender) => isSender(sender, peer));
  if (candidates.length === 0) return { kind: 'undeclared-peer' };
  const allowed = candidates.find((sender) => mayClaim(sender, claim));
  if (allowed !== undefined) return { kind: 'allowed', sender: allowed.name };
  const owner = senders.senders.find((sender) => mayClaim(sender, claim))?.name;
  const applicationFits = candidates.some(
    (sender) => sender.sendingApplications?.includes(claim.sendingApplication) ?? true,
  );
  return {
    kind: 'unclaimable',
    senders: candidates.map((sender) => sender.name),
    owner,
    location: applicationFits ? 'MSH-4' : 'MSH-3',
  };
}
