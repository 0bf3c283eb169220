/**
 * `npm run inputs -- list parked|rejected [--all]` and `npm run inputs -- redrive parked|rejected <id>`:
 * the operator's view of inputs held back from the log, through the running service's admin
 * API (so a re-drive goes through the same pipeline and producer as live traffic). It calls
 * with an operator's bearer token: `--token`, else `CEL_TOKEN`, else one the development
 * issuer mints for the operating-system user (auth/cliToken.ts). I/O.
 */
import { parseArgs } from 'node:util';
import { cliToken } from '../auth/cliToken.js';
import { loadConfig } from '../platform/config.js';
import { runCommand } from '../platform/runCommand.js';

const usage = `usage: npm run inputs -- list parked|rejected [--all] [--url http://host:port] [--token JWT]
       npm run inputs -- redrive parked|rejected <id> [--url http://host:port] [--token JWT]
The token needs the operator role: --token, else CEL_TOKEN, else (with the development issuer)
one minted for you.`;

type Held = {
  id: number;
  channel: string;
  endpoint: string;
  correlationId: string;
  receivedAt: string;
  reasonCode: string;
  reason: string;
  location: string | null;
  status: string;
  bytes: number;
};

async function call(url: string, token: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers: { authorization: `Bearer ${token}` } });
  } catch {
    throw new Error(`no service answers at ${new URL(url).origin}; start it with npm start, or pass --url`);
  }
  return { status: response.status, body: await response.json() };
}

/** The error for an answer other than 200; a refused token says how to pass another. */
function refusal(status: number, body: unknown): Error {
  const hint = status === 401 || status === 403 ? "; pass an operator's token with --token or CEL_TOKEN" : '';
  return new Error(`the service answered ${status}: ${JSON.stringify(body)}${hint}`);
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { all: { type: 'boolean', default: false }, url: { type: 'string' }, token: { type: 'string' } },
  });
  const [command, kind, id] = positionals;
  if ((kind !== 'parked' && kind !== 'rejected') || (command !== 'list' && command !== 'redrive')) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const config = loadConfig();
  const host = config.listen.host === '0.0.0.0' ? '127.0.0.1' : config.listen.host;
  const base = values.url ?? `http://${host}:${config.listen.httpPort}`;
  const token = await cliToken(config.auth, config.localStack.dir, 'operator', {
    flag: values.token,
    env: process.env.CEL_TOKEN,
  });

  if (command === 'list') {
    const { status, body } = await call(`${base}/admin/${kind}?all=${values.all === true}`, token);
    if (status !== 200) throw refusal(status, body);
    const rows = (body as Record<string, Held[]>)[kind] ?? [];
    if (rows.length === 0) process.stdout.write(`no ${kind} inputs\n`);
    for (const r of rows) {
      process.stdout.write(
        `${String(r.id).padStart(5)}  ${r.status.padEnd(9)} ${r.receivedAt}  ${r.channel.padEnd(5)} ${r.endpoint.padEnd(18)} ${r.reasonCode}${r.location ? ` at ${r.location}` : ''}: ${r.reason}  (correlation ${r.correlationId}, ${r.bytes} bytes)\n`,
      );
    }
    return 0;
  }
  const numeric = Number(id);
  if (!Number.isSafeInteger(numeric) || numeric < 1) {
    process.stderr.write(`redrive needs the id shown by: npm run inputs -- list ${kind}\n`);
    return 2;
  }
  const { status, body } = await call(`${base}/admin/${kind}/${numeric}/redrive`, token, { method: 'POST' });
  if (status !== 200) throw refusal(status, body);
  const outcome = body as { outcome: string; correlationId: string };
  process.stdout.write(`${kind} input ${numeric}: ${outcome.outcome} (correlation ${outcome.correlationId})\n`);
  return outcome.outcome === 'rejected' || outcome.outcome === 'unavailable' ? 1 : 0;
}

runCommand(main);
