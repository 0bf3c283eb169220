/**
 * What the audit page says about a patient's hash chain: ok, or broken and where (the first
 * broken link's sequence number, record and reason), and records of the log the index lacks.
 * Pure.
 */

export type ChainVerdict = {
  readonly nhsNumber: string;
  readonly entries: number;
  readonly ok: boolean;
  readonly firstBrokenLink?: {
    readonly chainSeq: number;
    readonly partition: number | null;
    readonly offset: string | null;
    readonly eventId: string | null;
    readonly reason: string;
  };
  readonly missing?: readonly {
    readonly reason: string;
    readonly topic: string;
    readonly partition: number;
    readonly offset: string;
  }[];
};

/** A headline (`ok` or `broken`) and the lines that say where. */
export function describeVerdict(verdict: ChainVerdict): { readonly headline: string; readonly details: string[] } {
  const details: string[] = [];
  const link = verdict.firstBrokenLink;
  if (link !== undefined) {
    const at =
      link.partition === null || link.offset === null ? '' : ` (partition ${link.partition}, offset ${link.offset})`;
    const event = link.eventId === null ? '' : `, event ${link.eventId}`;
    details.push(`First broken link at entry ${link.chainSeq}${at}${event}: ${link.reason}`);
  }
  for (const gap of verdict.missing ?? [])
    details.push(
      `Missing from the index (${gap.reason}): ${gap.topic} partition ${gap.partition} offset ${gap.offset}`,
    );
  const ok = verdict.ok && details.length === 0;
  return {
    headline: ok ? `ok: ${verdict.entries} entries, every link holds` : `broken: ${verdict.entries} entries checked`,
    details,
  };
}

/** An NHS number as typed (spaces allowed) in the form the routes take, or why it is not one. */
export function normaliseNhsNumber(typed: string): { ok: true; value: string } | { ok: false; error: string } {
  const value = typed.replace(/\s+/g, '');
  return /^\d{10}$/.test(value) ? { ok: true, value } : { ok: false, error: 'An NHS number is 10 digits' };
}

/** An ISO instant as `YYYY-MM-DD HH:MM:SS UTC` (the same in every browser locale). */
export const utcTime = (iso: string): string => `${iso.slice(0, 19).replace('T', ' ')} UTC`;
