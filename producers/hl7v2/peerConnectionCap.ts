/**
 * The MLLP listener's per-peer accounting: how many connections each remote address holds,
 * whether one more is admitted, and when a refusal is worth a log line (at most one per peer
 * per interval, with the count of those not logged). In-memory state, no I/O, no clock: the
 * caller passes the time.
 */

export type PeerConnectionCap = {
  /** Counts the connection in and returns true, or returns false (counting nothing) when the peer holds its cap. */
  admit(peer: string): boolean;
  /** A connection of the peer closed; forgets the peer at zero. */
  release(peer: string): void;
  openFrom(peer: string): number;
  /** Peers holding at least one connection. */
  readonly peers: () => number;
};

/**
 * The peer a connection comes from: its remote address without the port, an IPv4 address
 * mapped into IPv6 (`::ffff:10.0.0.7`, what a dual-stack listener sees) written as IPv4, so
 * one sender counts once whichever way it arrives.
 */
export function peerOf(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return '?';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  return mapped?.[1] ?? remoteAddress.toLowerCase();
}

export function createPeerConnectionCap(maxPerPeer: number): PeerConnectionCap {
  const open = new Map<string, number>();
  return {
    admit(peer) {
      const held = open.get(peer) ?? 0;
      if (held >= maxPerPeer) return false;
      open.set(peer, held + 1);
      return true;
    },
    release(peer) {
      const held = open.get(peer) ?? 0;
      if (held <= 1) open.delete(peer);
      else open.set(peer, held - 1);
    },
    openFrom: (peer) => open.get(peer) ?? 0,
    peers: () => open.size,
  };
}

/** Whether to log a refusal now and, if so, how many refusals of the same key went unlogged before it. */
export type RefusalNote = { readonly log: false } | { readonly log: true; readonly unlogged: number };

export type RefusalLog = {
  note(key: string, nowMs: number): RefusalNote;
  /**
   * Forgets keys whose last line is older than the interval (bounded memory), and returns those
   * of them with refusals still unlogged, so the caller writes their closing count.
   */
  prune(nowMs: number): readonly { readonly key: string; readonly unlogged: number }[];
  readonly size: () => number;
};

/**
 * Rate-limits refusal log lines: the first refusal of a key is logged, later ones within
 * `intervalMs` of that line are only counted, and the next line after the interval carries
 * the count. A sender hammering the listener costs one line per interval, not one per socket.
 */
export function createRefusalLog(intervalMs: number): RefusalLog {
  const entries = new Map<string, { loggedAt: number; unlogged: number }>();
  return {
    note(key, nowMs) {
      const entry = entries.get(key);
      if (entry !== undefined && nowMs - entry.loggedAt < intervalMs) {
        entry.unlogged += 1;
        return { log: false };
      }
      entries.set(key, { loggedAt: nowMs, unlogged: 0 });
      return { log: true, unlogged: entry?.unlogged ?? 0 };
    },
    prune(nowMs) {
      const closing: { key: string; unlogged: number }[] = [];
      for (const [key, entry] of entries) {
        if (nowMs - entry.loggedAt < intervalMs) continue;
        entries.delete(key);
        if (entry.unlogged > 0) closing.push({ key, unlogged: entry.unlogged });
      }
      return closing;
    },
    size: () => entries.size,
  };
}
