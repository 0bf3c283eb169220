import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, test } from 'vitest';
import { createLogger } from './logger.js';
import { startTracing, tracer, tracingEnabled } from './tracing.js';

type Received = { readonly path: string | undefined; readonly contentType: string | undefined; readonly body: Buffer };

/** A stand-in OTLP/HTTP collector: records each POST and answers 200. */
async function collector(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url, contentType: request.headers['content-type'], body: Buffer.concat(chunks) });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('startTracing', () => {
  test('off: nothing is installed', async () => {
    const handle = startTracing({ kind: 'off' }, createLogger('silent'));
    expect(tracingEnabled()).toBe(false);
    await handle.shutdown();
  });

  test('OTLP: spans are posted to the traces URL with the service name, and shutdown sends what is pending', async () => {
    const otlp = await collector();
    try {
      const handle = startTracing(
        {
          kind: 'otlp',
          tracesUrl: new URL(`${otlp.url}/v1/traces`),
          serviceName: 'cel-test-service',
          sampler: { name: 'always_on', ratio: 1 },
        },
        createLogger('silent'),
      );
      expect(tracingEnabled()).toBe(true);
      tracer()
        .startSpan('mllp receive ADT^A03', { attributes: { 'hl7.msh10': 'MSG-1' } })
        .end();
      await handle.shutdown();
      expect(tracingEnabled()).toBe(false);
      expect(otlp.received).toHaveLength(1);
      const [post] = otlp.received;
      expect(post?.path).toBe('/v1/traces');
      expect(post?.contentType).toBe('application/json');
      expect(post?.body.includes('cel-test-service')).toBe(true);
      expect(post?.body.includes('mllp receive ADT^A03')).toBe(true);
      expect(post?.body.includes('MSG-1')).toBe(true);
    } finally {
      await otlp.close();
    }
  });

  test('always_off: no span is sent', async () => {
    const otlp = await collector();
    try {
      const handle = startTracing(
        {
          kind: 'otlp',
          tracesUrl: new URL(`${otlp.url}/v1/traces`),
          serviceName: 'cel-test-service',
          sampler: { name: 'always_off', ratio: 1 },
        },
        createLogger('silent'),
      );
      tracer().startSpan('dropped').end();
      await handle.shutdown();
      expect(otlp.received).toEqual([]);
    } finally {
      await otlp.close();
    }
  });
});
