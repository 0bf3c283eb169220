/**
 * How a view version's tables, indexes and progress are named while it is not live: the
 * live names from tables.ts (and the migrations' index names) with `__v<N>`, and the progress
 * under `<view>@v<N>`. The live version always has the plain names. Pure.
 */
import type { ViewTables } from './rebuildableViews.js';

/** PostgreSQL's limit on identifiers, in bytes; longer ones are silently truncated. */
const MAX_IDENTIFIER_BYTES = 63;

/** Where a version other than the live one keeps its progress (stored offsets, processed events). */
export const progressNameOf = (view: string, version: number): string => `${view}@v${version}`;

/** A live table's or index's name for version `version` while that version is not live. */
export function versionedName(name: string, version: number): string {
  const versioned = `${name}__v${version}`;
  if (Buffer.byteLength(versioned) > MAX_IDENTIFIER_BYTES) {
    throw new Error(`${versioned} is longer than PostgreSQL's ${MAX_IDENTIFIER_BYTES} bytes; shorten ${name}`);
  }
  return versioned;
}

/** A version's tables while it is not live: each live name, versioned. */
export function versionTablesOf<Tables extends ViewTables>(tables: Tables, version: number): Tables {
  // Same keys, new names: the cast restores the keys that Object.fromEntries forgets.
  return Object.fromEntries(Object.entries(tables).map(([key, name]) => [key, versionedName(name, version)])) as Tables;
}
