/**
 * A value being loaded for a page: idle, loading, loaded or failed, and a hook that loads it
 * again whenever its key changes (an answer for an older key is dropped). I/O (through `load`).
 */
import { useEffect, useState } from 'preact/hooks';

export type Load<T> =
  | { readonly state: 'idle' }
  | { readonly state: 'loading' }
  | { readonly state: 'done'; readonly value: T }
  | { readonly state: 'failed'; readonly error: string };

export const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Loads with `load` while `key` is defined, again whenever it changes. */
export function useLoad<T>(key: string | undefined, load: () => Promise<T>): Load<T> {
  const [value, setValue] = useState<Load<T>>({ state: 'idle' });
  // The key names everything `load` reads, so it alone decides when to load again.
  useEffect(() => {
    if (key === undefined) {
      setValue({ state: 'idle' });
      return undefined;
    }
    let current = true;
    setValue({ state: 'loading' });
    load().then(
      (loaded) => current && setValue({ state: 'done', value: loaded }),
      (error: unknown) => current && setValue({ state: 'failed', error: message(error) }),
    );
    return () => {
      current = false;
    };
  }, [key]);
  return value;
}
