/**
 * `npm run audit -- verify [--patient <NHS number>] [--anchor <file>]`: verifies the audit
 * index's hash chain of every patient (or one), printing progress and a summary; compares the
 * index with the log (records it dead-lettered, offsets below its stored offsets it neither
 * holds nor dead-lettered); and with `--anchor` also that no patient's chain lost or
 * recomputed entries since that anchor was taken. Exits 1 when anything is broken or
 * missing, naming each first broken link, each missing record and each patient that differs
 * from the anchor.
 *
 * `npm run audit -- anchor [--out <file>]`: takes an anchor (every chain head at the audit
 * index's current position, and their root digest) and writes it as JSON (stdout by
 * default); keep it, or at least its root, outside the database. Exit 2 on a usage error. I/O.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { describeNhsNumberError, parseNhsNumber } from '../core/nhsNumber.js';
import { loadConfig } from '../platform/config.js';
import { createPool, type Pool } from '../platform/postgres.js';
import { runCommand } from '../platform/runCommand.js';
import { checkAnchor, takeAnchor } from '../projections/audit-index/anchors.js';
import {
  type AnchorDifference,
  type AuditAnchor,
  anchorFromJson,
  anchorToJson,
} from '../projections/audit-index/auditAnchor.js';
import type { BrokenLink } from '../projections/audit-index/auditChain.js';
import { AUDIT_INDEX } from '../projections/audit-index/auditEventsIndex.js';
import {
  auditDeadLetters,
  chainPatients,
  isKnownPatient,
  type MissingAuditEntry,
  unindexedRanges,
} from '../projections/audit-index/queries.js';
import { verifyPatientChain } from '../projections/audit-index/verifyPatientChain.js';
import { recordCliAccess } from './recordCliAccess.js';

const usage = `usage: npm run audit -- verify [--patient <NHS number>] [--anchor <file>]
       npm run audit -- anchor [--out <file>]`;
const PROGRESS_EVERY = 500;

const describeLink = (nhs: string, link: BrokenLink) =>
  link.partition === null
    ? `BROKEN ${nhs}: chain_seq ${link.chainSeq} is missing (${link.reason})`
    : `BROKEN ${nhs}: chain_seq ${link.chainSeq} at partition ${link.partition} offset ${link.offset}, event ${link.eventId} (${link.reason})`;

const describeMissing = (m: MissingAuditEntry, nhs?: string) => {
  const whose = nhs === undefined ? '' : ` ${nhs}:`;
  return m.reason === 'dead-lettered'
    ? `MISSING${whose} ${m.topic}[${m.partition}]@${m.offset} was dead-lettered by the audit index (${m.errorCode}, dead letter ${m.deadLetterId}${m.eventId === null ? '' : `, event ${m.eventId}`})`
    : `MISSING${whose} ${m.topic}[${m.partition}] offsets ${m.fromOffset}–${m.toOffset} are below the audit index's stored offset but neither indexed nor dead-lettered`;
};

const describeDifference = (anchor: AuditAnchor, d: AnchorDifference) => {
  const taken = anchor.takenAt.toISOString();
  if (d.anchored === undefined)
    return `DIFFERS ${d.nhsNumber}: has entries before the anchored position that the anchor of ${taken} does not (${d.now?.chainSeq} entries)`;
  if (d.now === undefined)
    return `DIFFERS ${d.nhsNumber}: the anchor of ${taken} recorded ${d.anchored.chainSeq} entries; none are stored now`;
  return `DIFFERS ${d.nhsNumber}: the anchor of ${taken} recorded head chain_seq ${d.anchored.chainSeq} ${d.anchored.entryHash}; the stored rows give ${d.now.chainSeq} ${d.now.entryHash}`;
};

class UsageError extends Error {}

async function readAnchorFile(file: string): Promise<AuditAnchor> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`--anchor ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = anchorFromJson(json);
  if (!parsed.ok) throw new Error(`--anchor ${file}: ${parsed.error}`);
  return parsed.anchor;
}

async function verify(pool: Pool, only: string | undefined, anchorFile: string | undefined): Promise<number> {
  const anchor = anchorFile === undefined ? undefined : await readAnchorFile(anchorFile);
  if (
    only !== undefined &&
    !(await isKnownPatient(pool, only)) &&
    (await auditDeadLetters(pool, AUDIT_INDEX, only)).length === 0
  ) {
    process.stderr.write('the audit index holds no events for this patient\n');
    return 1;
  }
  const patients = only === undefined ? await chainPatients(pool) : [only];
  process.stderr.write(`verifying ${patients.length} patient chain(s)\n`);
  let entries = 0;
  let broken = 0;
  let missing = 0;
  for (const [i, nhs] of patients.entries()) {
    const verdict = await verifyPatientChain(pool, nhs);
    entries += verdict.entries;
    if (verdict.firstBrokenLink !== undefined) {
      broken += 1;
      process.stdout.write(`${describeLink(nhs, verdict.firstBrokenLink)}\n`);
    }
    // Over every patient, the index is compared with the log once, below, not per patient.
    if (only !== undefined) {
      for (const m of verdict.missing ?? []) process.stdout.write(`${describeMissing(m, nhs)}\n`);
      missing += verdict.missing?.length ?? 0;
    }
    if ((i + 1) % PROGRESS_EVERY === 0) process.stderr.write(`verified ${i + 1}/${patients.length}\n`);
  }
  process.stdout.write(
    `${patients.length} chain(s), ${entries} entries: ${patients.length - broken} intact, ${broken} broken\n`,
  );
  if (only === undefined) {
    // Dead letters of records whose patient has no chain at all are found here too.
    const absent = [
      ...(await auditDeadLetters(pool, AUDIT_INDEX, undefined)),
      ...(await unindexedRanges(pool, AUDIT_INDEX, undefined)),
    ];
    for (const m of absent) process.stdout.write(`${describeMissing(m)}\n`);
    missing = absent.length;
  }
  process.stdout.write(
    missing === 0
      ? 'the audit index holds every record of the log below its stored offsets\n'
      : `the audit index lacks ${missing} record(s) or range(s) of the log\n`,
  );
  if (anchor === undefined) return broken === 0 && missing === 0 ? 0 : 1;

  process.stderr.write(`comparing with the anchor of ${anchor.takenAt.toISOString()} (root ${anchor.root})\n`);
  const verdict = await checkAnchor(pool, anchor);
  const differences = verdict.differences.filter((d) => only === undefined || d.nhsNumber === only);
  for (const d of differences) process.stdout.write(`${describeDifference(anchor, d)}\n`);
  if (verdict.intact) {
    process.stdout.write(
      `anchor of ${anchor.takenAt.toISOString()}: intact (root ${verdict.root}, ${anchor.patients} patients, ${anchor.entries} entries)\n`,
    );
  } else {
    process.stdout.write(
      `anchor of ${anchor.takenAt.toISOString()}: BROKEN: the stored rows give root ${verdict.root}, the anchor ${verdict.anchoredRoot}` +
        (anchor.heads === undefined ? ' (the anchor has no heads, so it cannot say which patients)' : '') +
        '\n',
    );
  }
  return broken === 0 && missing === 0 && verdict.intact ? 0 : 1;
}

async function anchor(pool: Pool, out: string | undefined): Promise<number> {
  const taken = await takeAnchor(pool);
  const text = `${JSON.stringify(anchorToJson(taken, { withHeads: true }), null, 2)}\n`;
  if (out === undefined) process.stdout.write(text);
  else await writeFile(out, text, { flag: 'wx' }); // never overwrite an earlier anchor
  process.stderr.write(
    `anchor taken at ${taken.takenAt.toISOString()}: root ${taken.root}, ${taken.patients} patients, ${taken.entries} entries` +
      (out === undefined ? '' : `, written to ${out}`) +
      '\n',
  );
  return 0;
}

async function main(): Promise<number> {
  let command: string | undefined;
  let only: string | undefined;
  let values: { patient?: string | undefined; anchor?: string | undefined; out?: string | undefined };
  try {
    const parsed = parseArgs({
      allowPositionals: true,
      options: { patient: { type: 'string' }, anchor: { type: 'string' }, out: { type: 'string' } },
    });
    values = parsed.values;
    [command] = parsed.positionals;
    if (parsed.positionals.length !== 1 || (command !== 'verify' && command !== 'anchor'))
      throw new UsageError('name one command: verify or anchor');
    if (command === 'anchor' && (values.patient !== undefined || values.anchor !== undefined))
      throw new UsageError('anchor takes only --out');
    if (command === 'verify' && values.out !== undefined) throw new UsageError('verify takes no --out');
    if (values.patient !== undefined) {
      const nhs = parseNhsNumber(values.patient);
      if (!nhs.ok) throw new UsageError(`--patient: ${describeNhsNumberError(nhs.error)}`);
      only = nhs.value;
    }
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
    return 2;
  }
  const config = loadConfig();
  await recordCliAccess(config, {
    command: `npm run audit -- ${command}`,
    role: 'auditor',
    kind: 'READ',
    patients: only === undefined ? [] : [only],
  });
  const pool = createPool(config.databaseUrl, { max: 2, applicationName: `cel-audit-${command}` });
  try {
    return command === 'anchor' ? await anchor(pool, values.out) : await verify(pool, only, values.anchor);
  } finally {
    await pool.end();
  }
}

runCommand(main);
