/**
 * The schema registry unreachable when a view consumer meets a writer schema it has not seen:
 * the partition waits for the registry, visibly, instead of dead-lettering good records; once
 * the registry answers, the view applies everything in order and equals the reference fold.
 * The consumer reaches the real registry through a proxy that the test switches off.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEventCodec } from '../platform/eventCodec.js';
import { createLogger } from '../platform/logger.js';
import { projectSchemaRegistrations, registerSchemas } from '../platform/registerSchemas.js';
import { authorizationOf, credentialsOfUrl } from '../platform/registryCredentials.js';
import { createRegistry } from '../platform/schemaRegistry.js';
import { registryTest as test } from '../registry/registryUnderTest.js';
import { topicNames } from '../schemas/topics.js';
import { describe, expect } from '../test/support/fixtures.js';
import { uniqueName } from '../test/support/uniqueName.js';
import { caughtUp, expectViewsToEqualReference, openViewLog, produce } from '../test/support/viewLog.js';
import { workload } from '../test/support/viewWorkload.js';
import { createViewConsumer } from './runViewConsumer.js';
import { liveViews } from './views.js';

/** Forwards to `target`; answers 503 while `down()` says so, counting those answers. */
function registryProxy(
  target: string,
  down: () => boolean,
): Promise<{ server: Server; url: URL; refused: () => number }> {
  let refused = 0;
  const server = createServer(async (request, response) => {
    if (down()) {
      refused += 1;
      response.writeHead(503, { 'content-type': 'application/json' }).end('{"error_code":50301,"message":"down"}');
      return;
    }
    const body = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
    });
    // The target's user info (the registry's test user) goes as HTTP Basic: fetch takes no credentials in a URL.
    const upstreamUrl = new URL(request.url ?? '/', target);
    const credentials = credentialsOfUrl(upstreamUrl);
    upstreamUrl.username = '';
    upstreamUrl.password = '';
    const upstream = await fetch(upstreamUrl, {
      method: request.method ?? 'GET',
      headers: {
        'content-type': request.headers['content-type'] ?? 'application/json',
        ...(credentials === undefined ? {} : { authorization: authorizationOf(credentials) }),
      },
      ...(body.length > 0 ? { body } : {}),
    });
    response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    response.end(Buffer.from(await upstream.arrayBuffer()));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
        refused: () => refused,
      }),
    ),
  );
}

describe('the schema registry unreachable', () => {
  test('a view waits for it, dead-letters nothing, and applies everything in order once it is back', async ({
    databaseUrl,
    registryUrl,
    kafkaBrokers,
  }) => {
    const log = await openViewLog({ databaseUrl, registryUrl, kafkaBrokers });
    const events = workload(20);
    await produce(log, events);
    let down = false;
    const proxy = await registryProxy(registryUrl, () => down);
    const viaProxy = createRegistry(proxy.url);
    const { byEventType } = await registerSchemas(viaProxy, projectSchemaRegistrations(topicNames(log.namespace)));
    down = true;
    const consumer = createViewConsumer({
      kafka: log.kafka,
      pool: log.pool,
      view: liveViews['gp-view'],
      topic: log.topic,
      // A client of its own: it has never read a record, so it knows no writer schema yet.
      codec: createEventCodec(createRegistry(proxy.url), byEventType),
      groupId: uniqueName('registry-outage'),
      logger: createLogger('silent'),
    });
    try {
      await consumer.start();
      // One decode asks the registry 4 times (the client retries 3 times): 8 refusals means
      // the consumer has waited and asked again at least once.
      await expect.poll(proxy.refused, { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(8);
      const stored = await log.pool.query<{ n: string }>(
        "SELECT coalesce(sum(next_offset), 0)::text AS n FROM view_stored_offsets WHERE view = 'gp-view'",
      );
      expect(stored.rows[0]?.n).toBe('0'); // waiting, not skipping
      const deadLetters = async () =>
        (await log.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM view_dead_letters')).rows[0]?.n;
      expect(await deadLetters()).toBe(0);

      down = false;
      await expect.poll(() => caughtUp(log, ['gp-view']), { timeout: 60_000, interval: 250 }).toBe(true);
      await expectViewsToEqualReference(log, events, ['gp-view']);
      expect(await deadLetters()).toBe(0);
    } finally {
      await consumer.stop();
      proxy.server.close();
      await log.pool.end();
    }
  }, 120_000);
});
