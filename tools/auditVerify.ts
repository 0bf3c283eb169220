/**
 * `npm run audit -- verify [--patient <NHS number>]`: verifies the audit index's hash chain of
 * every patient (or one), printing progress and a summary. Exits 1 when any chain is broken,
 * naming the first broken link of each; 2 on a usage error. I/O.
 */
import { parseArgs } from 'node:util';
import { describeNhsNumberError, parseNhsNumber } from '../core/nhsNumber.js';
import { loadConfig } from '../platform/config.js';
import { createPool } from '../platform/postgres.js';
import { runCommand } from '../platform/runCommand.js';
import type { BrokenLink } from '../projections/audit-index/auditChain.js';
import { chainPatients, isKnownPatient } from '../projections/audit-index/queries.js';
import { verifyPatientChain } from '../projections/audit-index/verifyPatientChain.js';

const usage = 'usage: npm run audit -- verify [--patient <NHS number>]';
const PROGRESS_EVERY = 500;

const describeLink = (nhs: string, link: BrokenLink) =>
  link.partition === null
    ? `BROKEN ${nhs}: chain_seq ${link.chainSeq} is missing (${link.reason})`
    : `BROKEN ${nhs}: chain_seq ${link.chainSeq} at partition ${link.partition} offset ${link.offset}, event ${link.eventId} (${link.reason})`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { patient: { type: 'string' } },
  });
  if (positionals[0] !== 'verify' || positionals.length !== 1) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  let only: string | undefined;
  if (values.patient !== undefined) {
    const nhs = parseNhsNumber(values.patient);
    if (!nhs.ok) {
      process.stderr.write(`--patient: ${describeNhsNumberError(nhs.error)}\n${usage}\n`);
      return 2;
    }
    only = nhs.value;
  }
  const config = loadConfig();
  const pool = createPool(config.databaseUrl, { max: 2, applicationName: 'cel-audit-verify' });
  try {
    if (only !== undefined && !(await isKnownPatient(pool, only))) {
      process.stderr.write('the audit index holds no events for this patient\n');
      return 1;
    }
    const patients = only === undefined ? await chainPatients(pool) : [only];
    process.stderr.write(`verifying ${patients.length} patient chain(s)\n`);
    let entries = 0;
    let broken = 0;
    for (const [i, nhs] of patients.entries()) {
      const verdict = await verifyPatientChain(pool, nhs);
      entries += verdict.entries;
      if (verdict.firstBrokenLink !== undefined) {
        broken += 1;
        process.stdout.write(`${describeLink(nhs, verdict.firstBrokenLink)}\n`);
      }
      if ((i + 1) % PROGRESS_EVERY === 0) process.stderr.write(`verified ${i + 1}/${patients.length}\n`);
    }
    process.stdout.write(
      `${patients.length} chain(s), ${entries} entries: ${patients.length - broken} intact, ${broken} broken\n`,
    );
    return broken === 0 ? 0 : 1;
  } finally {
    await pool.end();
  }
}

runCommand(main);
