import { describe, expect, test } from 'vitest';
import { parseConsumerPerformance, parseProducerPerformance } from './kafkaPeer.js';

describe('perf tool output', () => {
  test('ProducerPerformance summary', () => {
    const out = [
      '98305 records sent, 19661.0 records/sec (9.60 MB/sec), 1100.2 ms avg latency, 1900.0 ms max latency.',
      '200000 records sent, 44783.020 records/sec (21.87 MB/sec), 1255.00 ms avg latency, 2300.00 ms max latency, 1200 ms 50th, 2100 ms 95th, 2183 ms 99th, 2290 ms 99.9th.',
    ].join('\n');
    expect(parseProducerPerformance(out)).toEqual({ recordsPerSec: 44783.02, mbPerSec: 21.87, p99Ms: 2183 });
    expect(parseProducerPerformance('nothing')).toBeUndefined();
  });

  test('ConsumerPerformance CSV line', () => {
    const out = [
      'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
      '2026-11-25 20:00:00:000, 2026-11-25 20:00:04:000, 244.1406, 57.2, 500000, 117233.3, 1800, 2450, 99.5, 203832.6',
    ].join('\n');
    expect(parseConsumerPerformance(out)).toEqual({
      mbPerSec: 57.2,
      recordsPerSec: 117233.3,
      fetchRecordsPerSec: 203832.6,
    });
  });
});
