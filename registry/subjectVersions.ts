/**
 * The rules over one subject's versions, live and soft-deleted: which version a request means,
 * the next version number, and what a soft or permanent delete may remove. Pure; the store
 * reads the versions and applies the outcome.
 */
import { err, ok, type Result } from '../core/result.js';
import type { RegistryProblem } from './registryErrors.js';

export type SubjectVersion = {
  readonly version: number;
  readonly schemaId: number;
  /** The normalized schema text. */
  readonly schema: string;
  readonly deleted: boolean;
};

/** A version number, or the latest one ("latest" or -1 in the URL). */
export type VersionId = number | 'latest';

const MAX_VERSION = 2 ** 31 - 1;

export function parseVersionId(raw: string): Result<VersionId, RegistryProblem> {
  const trimmed = raw.trim();
  if (trimmed.toLowerCase() === 'latest' || trimmed === '-1') return ok('latest');
  const n = /^\d{1,10}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_VERSION) return err({ kind: 'invalid-version', version: raw });
  return ok(n);
}

export function liveVersions(versions: readonly SubjectVersion[]): readonly SubjectVersion[] {
  return versions.filter((v) => !v.deleted);
}

/**
 * The version a read means. Soft-deleted versions are invisible unless asked for; a miss is
 * 40401 when the subject has nothing visible, else 40402 (as Confluent answers reads).
 */
export function selectVersion(
  subject: string,
  versions: readonly SubjectVersion[],
  id: VersionId,
  options: { readonly includeDeleted: boolean },
): Result<SubjectVersion, RegistryProblem> {
  const visible = options.includeDeleted ? versions : liveVersions(versions);
  const found = id === 'latest' ? visible.at(-1) : visible.find((v) => v.version === id);
  if (found !== undefined) return ok(found);
  if (visible.length === 0) return err({ kind: 'subject-not-found', subject });
  return err({ kind: 'version-not-found', subject, version: id === 'latest' ? -1 : id });
}

/** Versions are never reused while a soft-deleted one remains; a permanent delete frees its number. */
export function nextVersionNumber(versions: readonly SubjectVersion[]): number {
  return (versions.at(-1)?.version ?? 0) + 1;
}

/** What DELETE /subjects/{s} removes: every live version, or (permanent) every soft-deleted one. */
export function planSubjectDelete(
  subject: string,
  versions: readonly SubjectVersion[],
  permanent: boolean,
): Result<readonly number[], RegistryProblem> {
  if (versions.length === 0) return err({ kind: 'subject-not-found', subject });
  const live = liveVersions(versions);
  if (permanent) {
    if (live.length > 0) return err({ kind: 'subject-not-soft-deleted', subject });
    return ok(versions.map((v) => v.version));
  }
  if (live.length === 0) return err({ kind: 'subject-soft-deleted', subject });
  return ok(live.map((v) => v.version));
}

/**
 * What DELETE /subjects/{s}/versions/{v} removes. A soft delete needs a live version (40406 when
 * it is already soft-deleted); a permanent delete needs a soft-deleted one (40407 otherwise).
 * "latest" means the latest live version for a soft delete, the latest of all for a permanent one.
 */
export function planVersionDelete(
  subject: string,
  versions: readonly SubjectVersion[],
  id: VersionId,
  permanent: boolean,
): Result<number, RegistryProblem> {
  const found =
    id === 'latest'
      ? ((permanent ? undefined : liveVersions(versions).at(-1)) ?? versions.at(-1))
      : versions.find((v) => v.version === id);
  if (found === undefined) {
    if (versions.length === 0) return err({ kind: 'subject-not-found', subject });
    return err({ kind: 'version-not-found', subject, version: id === 'latest' ? -1 : id });
  }
  if (!permanent && found.deleted) return err({ kind: 'version-soft-deleted', subject, version: found.version });
  if (permanent && !found.deleted) return err({ kind: 'version-not-soft-deleted', subject, version: found.version });
  return ok(found.version);
}
