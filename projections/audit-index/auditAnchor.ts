/**
 * Anchors of the audit chains: a digest of every patient's chain head at one position of the
 * log, to be kept outside the database (a ticket, a signed mail, WORM storage). The chains
 * show a row altered or removed in the middle; only an anchor shows the last rows of a chain
 * removed, or a whole chain recomputed, since it was taken:
 *
 *   root = sha256( "cel-audit-anchor/1\n"
 *                  ‖ "<topic> <partition> <next offset>\n" per partition, sorted
 *                  ‖ "\n"
 *                  ‖ "<nhs number> <chain_seq> <entry_hash>\n" per patient, sorted )
 *
 * A patient's events are in one partition and its chain is in log order, so the heads at a
 * position can be recomputed from the stored rows at any later time and compared. Pure.
 */
import { createHash } from 'node:crypto';

export const ANCHOR_FORMAT = 'cel-audit-anchor/1';

export type AnchorHead = { readonly nhsNumber: string; readonly chainSeq: bigint; readonly entryHash: string };

/** The next offset of each indexed partition, by topic: what the anchor covers. */
export type AnchorPosition = ReadonlyMap<string, ReadonlyMap<number, bigint>>;

export type AuditAnchor = {
  readonly takenAt: Date;
  readonly position: AnchorPosition;
  readonly root: string;
  readonly patients: number;
  /** Entries covered: the sum of the heads' chain_seq. */
  readonly entries: bigint;
  /** Present in a full anchor (the CLI's file); absent when only the root was kept. */
  readonly heads?: readonly AnchorHead[];
};

const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function anchorRoot(position: AnchorPosition, heads: readonly AnchorHead[]): string {
  const hash = createHash('sha256').update(`${ANCHOR_FORMAT}\n`, 'utf8');
  const partitions = [...position].flatMap(([topic, offsets]) =>
    [...offsets].map(([partition, next]) => ({ topic, partition, next })),
  );
  partitions.sort((a, b) => byCode(a.topic, b.topic) || a.partition - b.partition);
  for (const p of partitions) hash.update(`${p.topic} ${p.partition} ${p.next}\n`, 'utf8');
  hash.update('\n', 'utf8');
  for (const h of [...heads].sort((a, b) => byCode(a.nhsNumber, b.nhsNumber)))
    hash.update(`${h.nhsNumber} ${h.chainSeq} ${h.entryHash}\n`, 'utf8');
  return hash.digest('hex');
}

export function makeAnchor(takenAt: Date, position: AnchorPosition, heads: readonly AnchorHead[]): AuditAnchor {
  return {
    takenAt,
    position,
    root: anchorRoot(position, heads),
    patients: heads.length,
    entries: heads.reduce((sum, h) => sum + h.chainSeq, 0n),
    heads: [...heads].sort((a, b) => byCode(a.nhsNumber, b.nhsNumber)),
  };
}

/** A patient whose chain head at the anchored position is not what the anchor recorded. */
export type AnchorDifference = {
  readonly nhsNumber: string;
  /** What the anchor recorded; undefined: the patient had no entries then but has some now. */
  readonly anchored: AnchorHead | undefined;
  /** What the stored rows give now; undefined: the patient's anchored entries are all gone. */
  readonly now: AnchorHead | undefined;
};

export type AnchorVerdict = {
  readonly intact: boolean;
  readonly anchoredRoot: string;
  readonly root: string;
  /** Per patient, when the anchor has its heads; empty when only the root was kept. */
  readonly differences: readonly AnchorDifference[];
};

/** Compares the heads recomputed from the stored rows at the anchor's position with the anchor. */
export function compareWithAnchor(anchor: AuditAnchor, headsNow: readonly AnchorHead[]): AnchorVerdict {
  const root = anchorRoot(anchor.position, headsNow);
  const differences: AnchorDifference[] = [];
  if (anchor.heads !== undefined) {
    const now = new Map(headsNow.map((h) => [h.nhsNumber, h]));
    for (const anchored of anchor.heads) {
      const current = now.get(anchored.nhsNumber);
      now.delete(anchored.nhsNumber);
      if (current?.chainSeq !== anchored.chainSeq || current.entryHash !== anchored.entryHash)
        differences.push({ nhsNumber: anchored.nhsNumber, anchored, now: current });
    }
    for (const current of now.values())
      differences.push({ nhsNumber: current.nhsNumber, anchored: undefined, now: current });
    differences.sort((a, b) => byCode(a.nhsNumber, b.nhsNumber));
  }
  return { intact: root === anchor.root, anchoredRoot: anchor.root, root, differences };
}

/** The anchor as JSON (offsets and sequence numbers as strings: they are 64-bit). */
export type AnchorJson = {
  readonly format: typeof ANCHOR_FORMAT;
  readonly takenAt: string;
  readonly position: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly root: string;
  readonly patients: number;
  readonly entries: string;
  readonly heads?: readonly { readonly nhsNumber: string; readonly chainSeq: string; readonly entryHash: string }[];
};

export function anchorToJson(anchor: AuditAnchor, options: { readonly withHeads: boolean }): AnchorJson {
  return {
    format: ANCHOR_FORMAT,
    takenAt: anchor.takenAt.toISOString(),
    position: Object.fromEntries(
      [...anchor.position].map(([topic, offsets]) => [
        topic,
        Object.fromEntries([...offsets].map(([p, o]) => [String(p), String(o)])),
      ]),
    ),
    root: anchor.root,
    patients: anchor.patients,
    entries: String(anchor.entries),
    ...(options.withHeads && anchor.heads !== undefined
      ? {
          heads: anchor.heads.map((h) => ({
            nhsNumber: h.nhsNumber,
            chainSeq: String(h.chainSeq),
            entryHash: h.entryHash,
          })),
        }
      : {}),
  };
}

const HEX64 = /^[0-9a-f]{64}$/;
const DIGITS = /^\d{1,19}$/;

/**
 * Reads an anchor back from its JSON, checking every field; a full anchor's heads must give
 * its root (an anchor file edited after it was taken is refused). The error names the field.
 */
export function anchorFromJson(value: unknown): { ok: true; anchor: AuditAnchor } | { ok: false; error: string } {
  const fail = (error: string) => ({ ok: false as const, error });
  if (typeof value !== 'object' || value === null) return fail('an anchor is a JSON object');
  const v = value as Record<string, unknown>;
  if (v.format !== ANCHOR_FORMAT) return fail(`format must be "${ANCHOR_FORMAT}"`);
  const takenAt = typeof v.takenAt === 'string' ? new Date(v.takenAt) : new Date(Number.NaN);
  if (Number.isNaN(takenAt.getTime())) return fail('takenAt must be an ISO 8601 instant');
  if (typeof v.root !== 'string' || !HEX64.test(v.root)) return fail('root must be 64 lowercase hex digits');
  if (typeof v.position !== 'object' || v.position === null)
    return fail('position must be {topic: {partition: offset}}');
  const position = new Map<string, Map<number, bigint>>();
  for (const [topic, offsets] of Object.entries(v.position as Record<string, unknown>)) {
    if (typeof offsets !== 'object' || offsets === null) return fail(`position.${topic} must be {partition: offset}`);
    const partitions = new Map<number, bigint>();
    for (const [partition, next] of Object.entries(offsets as Record<string, unknown>)) {
      if (!/^\d{1,9}$/.test(partition) || typeof next !== 'string' || !DIGITS.test(next))
        return fail(`position.${topic}.${partition} must be an offset in a string`);
      partitions.set(Number(partition), BigInt(next));
    }
    position.set(topic, partitions);
  }
  let heads: AnchorHead[] | undefined;
  if (v.heads !== undefined) {
    if (!Array.isArray(v.heads)) return fail('heads must be a list');
    heads = [];
    for (const [i, h] of (v.heads as unknown[]).entries()) {
      const head = h as Record<string, unknown> | null;
      if (
        typeof head?.nhsNumber !== 'string' ||
        !/^\d{10}$/.test(head.nhsNumber) ||
        typeof head.chainSeq !== 'string' ||
        !DIGITS.test(head.chainSeq) ||
        typeof head.entryHash !== 'string' ||
        !HEX64.test(head.entryHash)
      )
        return fail(`heads[${i}] must be {nhsNumber, chainSeq, entryHash}`);
      heads.push({ nhsNumber: head.nhsNumber, chainSeq: BigInt(head.chainSeq), entryHash: head.entryHash });
    }
    if (anchorRoot(position, heads) !== v.root) return fail('the heads do not give the root: the anchor was altered');
  }
  const patients = typeof v.patients === 'number' ? v.patients : (heads?.length ?? 0);
  const entries = typeof v.entries === 'string' && DIGITS.test(v.entries) ? BigInt(v.entries) : 0n;
  return {
    ok: true,
    anchor: { takenAt, position, root: v.root, patients, entries, ...(heads === undefined ? {} : { heads }) },
  };
}
