/**
 * Turns per source identity within this process: a message waits for the messages with any of
 * its identities that arrived before it to be answered, so a resend sent while the first copy
 * is still in flight (an ACK timeout) reads what that copy recorded instead of racing it to the
 * log. Messages with other identities are not held up. In memory; no I/O.
 */
export type IdentityTurns = {
  /** Resolves when every earlier holder of these identities is done; call the result when this one is. */
  take(identities: readonly string[]): Promise<() => void>;
};

export function createIdentityTurns(): IdentityTurns {
  const tails = new Map<string, Promise<void>>();
  return {
    async take(identities) {
      const keys = [...new Set(identities)];
      let done!: () => void;
      const mine = new Promise<void>((resolve) => {
        done = resolve;
      });
      // Registered at once for every key, before any wait: each waits only on those registered
      // earlier, so no two messages can wait on each other.
      const earlier = keys.map((key) => tails.get(key) ?? Promise.resolve());
      for (const key of keys) tails.set(key, mine);
      await Promise.all(earlier);
      return () => {
        for (const key of keys) if (tails.get(key) === mine) tails.delete(key);
        done();
      };
    },
  };
}
