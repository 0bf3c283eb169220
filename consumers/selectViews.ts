/**
 * Which consumers `npm run views` runs (CEL_VIEWS): the named views in the order named, then
 * the named log indexes; unset, every view and no log index (`npm start` runs those itself).
 * A name that is neither is refused, so a typo does not leave a view unapplied. Pure.
 */
import { err, ok, type Result } from '../core/result.js';
import type { RunnableView } from './runViewConsumer.js';

export type SelectedViews = {
  readonly views: readonly RunnableView[];
  readonly indexes: readonly RunnableView[];
};

export function selectViews(
  selected: readonly string[] | 'all',
  views: readonly RunnableView[],
  indexes: readonly RunnableView[],
): Result<SelectedViews, { readonly unknown: readonly string[]; readonly known: readonly string[] }> {
  if (selected === 'all') return ok({ views, indexes: [] });
  const known = [...views, ...indexes].map((v) => v.name);
  const unknown = selected.filter((name) => !known.includes(name));
  if (unknown.length > 0) return err({ unknown, known });
  return ok({
    views: selected.flatMap((name) => views.find((v) => v.name === name) ?? []),
    indexes: indexes.filter((index) => selected.includes(index.name)),
  });
}
