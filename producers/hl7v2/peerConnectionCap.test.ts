import { describe, expect, test } from 'vitest';
import { createPeerConnectionCap, createRefusalLog, peerOf } from './peerConnectionCap.js';

describe('the per-peer connection count', () => {
  test('admits up to the cap per peer, then refuses that peer only', () => {
    const cap = createPeerConnectionCap(2);
    expect([cap.admit('10.0.0.1'), cap.admit('10.0.0.1'), cap.admit('10.0.0.1')]).toEqual([true, true, false]);
    expect(cap.admit('10.0.0.2')).toBe(true);
    expect(cap.openFrom('10.0.0.1')).toBe(2);
    expect(cap.openFrom('10.0.0.2')).toBe(1);
  });

  test('a refused connection is not counted, and a closed one frees its place', () => {
    const cap = createPeerConnectionCap(1);
    expect(cap.admit('p')).toBe(true);
    expect(cap.admit('p')).toBe(false);
    expect(cap.openFrom('p')).toBe(1);
    cap.release('p');
    expect(cap.admit('p')).toBe(true);
  });

  test('a peer with no connection left is forgotten', () => {
    const cap = createPeerConnectionCap(5);
    cap.admit('a');
    cap.admit('a');
    cap.admit('b');
    cap.release('a');
    cap.release('a');
    expect(cap.peers()).toBe(1);
    expect(cap.openFrom('a')).toBe(0);
  });

  test.each([
    { remote: '127.0.0.1', peer: '127.0.0.1' },
    { remote: '::ffff:127.0.0.2', peer: '127.0.0.2' },
    { remote: '::FFFF:10.1.2.3', peer: '10.1.2.3' },
    { remote: '2001:DB8::1', peer: '2001:db8::1' },
    { remote: undefined, peer: '?' },
  ])('the peer of $remote is $peer', ({ remote, peer }) => {
    expect(peerOf(remote)).toBe(peer);
  });
});

describe('the refusal log', () => {
  test('logs the first refusal, counts the rest within the interval, and reports the count on the next line', () => {
    const log = createRefusalLog(1000);
    expect(log.note('p', 0)).toEqual({ log: true, unlogged: 0 });
    expect(log.note('p', 10)).toEqual({ log: false });
    expect(log.note('p', 999)).toEqual({ log: false });
    expect(log.note('q', 500)).toEqual({ log: true, unlogged: 0 });
    expect(log.note('p', 1000)).toEqual({ log: true, unlogged: 2 });
  });

  test('pruning forgets quiet keys and hands back the refusals they never logged', () => {
    const log = createRefusalLog(1000);
    log.note('loud', 0);
    log.note('loud', 1);
    log.note('loud', 2);
    log.note('quiet', 0);
    log.note('recent', 900);
    expect(log.prune(1500)).toEqual([{ key: 'loud', unlogged: 2 }]);
    expect(log.size()).toBe(1);
    expect(log.note('loud', 1600)).toEqual({ log: true, unlogged: 0 });
  });
});
