/**
 * The routes an app serves, read from fastify's route tree (`printRoutes`): for tests that
 * compare what is served with what is documented. Test support; pure.
 */
import type { FastifyInstance } from 'fastify';

/** Every route the app serves, as `METHOD path`, read from fastify's route tree (HEAD left out). */
export function servedRoutes(app: FastifyInstance): readonly string[] {
  const routes: string[] = [];
  const segments: string[] = [];
  for (const line of app.printRoutes().split('\n')) {
    const at = line.indexOf('── ');
    if (at < 0) continue;
    const depth = (at - 1) / 4;
    const node = /^(\S*)(?: \(([A-Z, ]+)\))?$/.exec(line.slice(at + 3).trimEnd());
    segments.length = depth;
    segments.push(node?.[1] ?? '');
    for (const method of node?.[2]?.split(', ') ?? [])
      if (method !== 'HEAD') routes.push(`${method} ${segments.join('')}`);
  }
  return routes.sort();
}
