/**
 * The Host allow-list (`HTTP_ALLOWED_HOSTS`): its entries are host names or IP literals, each
 * with an optional port, and a request's `Host` is in the list when its name is one of them
 * and, for an entry with a port, its port is that one (an entry without a port takes any
 * port). Names compare case-insensitively and without a trailing dot. Pure.
 */
import { err, ok, type Result } from '../core/result.js';

/** A host as written in `Host` or in the list: lower-case name (IPv6 in brackets) and the port when one is given. */
export type HostAndPort = { readonly name: string; readonly port: number | undefined };

const LABEL = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
const HOST_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const HOST = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/;

/** `api.example.org`, `API.example.org.:8443`, `[::1]:8080`; undefined when it is not a host. */
export function parseHost(text: string): HostAndPort | undefined {
  const match = HOST.exec(text.trim().toLowerCase());
  const written = match?.[1];
  if (match === null || written === undefined) return undefined;
  const name = written.endsWith('.') ? written.slice(0, -1) : written;
  if (!name.startsWith('[') && (name.length > 253 || !HOST_NAME.test(name))) return undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && (port < 1 || port > 65_535)) return undefined;
  return { name, port };
}

export const formatHost = (host: HostAndPort): string =>
  host.port === undefined ? host.name : `${host.name}:${host.port}`;

/** A comma-separated list as the entries it names, normalised; the entries that are not hosts otherwise. */
export function parseAllowedHosts(raw: string): Result<readonly string[], readonly string[]> {
  const entries = raw.split(',').map((entry) => entry.trim());
  const parsed = entries.map(parseHost);
  const bad = entries.filter((_, i) => parsed[i] === undefined);
  if (bad.length > 0) return err(bad);
  return ok(parsed.flatMap((host) => (host === undefined ? [] : [formatHost(host)])));
}

/** Whether a request's `Host` value names one of the allowed hosts; a missing or malformed one never does. */
export function isHostAllowed(allowed: readonly HostAndPort[], hostHeader: string | undefined): boolean {
  const host = hostHeader === undefined ? undefined : parseHost(hostHeader);
  if (host === undefined) return false;
  return allowed.some((entry) => entry.name === host.name && (entry.port === undefined || entry.port === host.port));
}
