import { Writable } from 'node:stream';
import kafkajs, { type LogEntry } from 'kafkajs';
import { describe, expect, test } from 'vitest';
import { forwardKafkaLog } from './kafka.js';
import { createLogger } from './logger.js';

const { logLevel } = kafkajs;

/** Forwards one kafkajs log entry and returns the pino level it was written at (30 info, 40 warn, 50 error). */
function levelOf(
  entry: Pick<LogEntry, 'namespace' | 'level'> & { message: string; extra?: object },
): number | undefined {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  forwardKafkaLog(createLogger('debug', sink), {
    namespace: entry.namespace,
    level: entry.level,
    label: 'ERROR',
    log: { timestamp: '', logger: 'kafkajs', message: entry.message, ...entry.extra },
  });
  const [line] = lines;
  return line === undefined ? undefined : (JSON.parse(line) as { level: number }).level;
}

describe('forwardKafkaLog', () => {
  test('an error answer to one request goes to debug: its caller retries it or reports it', () => {
    const answer = {
      namespace: 'Connection',
      level: logLevel.ERROR,
      message: 'Response ListOffsets(key: 2, version: 3)',
    };
    expect(levelOf({ ...answer, extra: { error: 'This server is not the leader for that topic-partition' } })).toBe(20);
  });

  test('the bounded-retries warning of an idempotent producer goes to debug: a producer that gave up is replaced', () => {
    const warning = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';
    expect(levelOf({ namespace: 'Producer', level: logLevel.WARN, message: warning })).toBe(20);
  });

  test('other errors and warnings keep their level', () => {
    expect(levelOf({ namespace: 'Connection', level: logLevel.ERROR, message: 'Connection error: ECONNREFUSED' })).toBe(
      50,
    );
    expect(levelOf({ namespace: 'Runner', level: logLevel.ERROR, message: 'Response of something' })).toBe(50);
    expect(levelOf({ namespace: 'Consumer', level: logLevel.WARN, message: 'Crash: rebalancing' })).toBe(40);
  });
});
