/**
 * `npm run -s token -- --role ROLE [--patient NHS] [--scope "…"] [--ttl 30m|1h|1d] [--sub NAME]
 * [--purpose CODE]`: prints one bearer token from the development issuer to stdout and nothing
 * else, also before the service has ever started (the issuer's key is made if missing). The
 * token carries the role's default scopes plus `--scope`. Refused when the service is
 * configured to trust an OIDC provider (AUTH_ISSUER): ask that provider. I/O.
 */
import { parseArgs } from 'node:util';
import { loadOrCreateDevKey, mintDevToken } from '../auth/devIssuer.js';
import { isRole, roles } from '../auth/roles.js';
import { parseScope } from '../auth/scopes.js';
import { parseNhsNumber } from '../core/nhsNumber.js';
import { loadConfig } from '../platform/config.js';

const usage = `usage: npm run -s token -- --role ROLE [--patient NHS] [--scope "SCOPE …"] [--ttl 30m|1h|1d] [--sub NAME] [--purpose CODE]
roles: ${roles.join(', ')}`;

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };
const MAX_TTL_SECONDS = 30 * 86_400;

/** `30m`, `1h`, `1d`, `90s`: seconds, or undefined when not a duration of 1 s to 30 days. */
export function parseTtl(text: string): number | undefined {
  const match = /^([1-9]\d{0,6})([smhd])$/.exec(text);
  if (match === null) return undefined;
  const seconds = Number(match[1]) * (UNITS[match[2] ?? ''] ?? 0);
  return seconds <= MAX_TTL_SECONDS ? seconds : undefined;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n${usage}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        role: { type: 'string' },
        patient: { type: 'string' },
        scope: { type: 'string' },
        ttl: { type: 'string', default: '1h' },
        sub: { type: 'string' },
        purpose: { type: 'string' },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  const role = values.role;
  if (role === undefined) fail('--role is required');
  if (!isRole(role)) fail(`--role "${role}" is not a role`);
  const ttlSeconds = parseTtl(values.ttl ?? '1h');
  if (ttlSeconds === undefined) fail(`--ttl "${values.ttl}": expected a number and s, m, h or d, at most 30d`);
  let patient: string | undefined;
  if (values.patient !== undefined) {
    const parsed = parseNhsNumber(values.patient);
    if (!parsed.ok) fail(`--patient "${values.patient}" is not a valid NHS number`);
    patient = parsed.value;
  }
  const extraScopes = (values.scope ?? '').split(/\s+/).filter((s) => s !== '');
  const unknown = extraScopes.filter((s) => parseScope(s) === undefined);
  if (unknown.length > 0) fail(`--scope "${unknown.join(' ')}": expected SMART scopes such as patient/Condition.rs`);
  if (values.sub !== undefined && !/^[\x21-\x7e]{1,200}$/.test(values.sub))
    fail('--sub: 1–200 visible ASCII characters');
  if (values.purpose !== undefined && !/^[\x21-\x7e]{1,200}$/.test(values.purpose))
    fail('--purpose: a code such as TREAT');
  const config = loadConfig();
  if (config.auth.mode === 'oidc')
    fail(`the service trusts tokens from ${config.auth.issuer} (AUTH_ISSUER): get one from that provider`);
  const key = await loadOrCreateDevKey(config.localStack.dir);
  const token = await mintDevToken(key, {
    role,
    ttlSeconds,
    audience: config.auth.audience,
    extraScopes,
    ...(patient === undefined ? {} : { patient }),
    ...(values.sub === undefined ? {} : { sub: values.sub }),
    ...(values.purpose === undefined ? {} : { purposeOfUse: values.purpose }),
  });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
