/**
 * Who may scrape GET /metrics without an operator token: a caller presenting the static scrape
 * token (METRICS_BEARER_TOKEN_FILE; compared in constant time), or an anonymous caller on this
 * machine (a loopback socket address, and no forwarding header — a local reverse proxy's
 * requests come from loopback too). Anything else goes on to the API's token check. Pure,
 * except readScrapeToken (I/O).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The shortest static scrape token taken: 32 characters (e.g. `openssl rand -hex 32` gives 64). */
export const MIN_SCRAPE_TOKEN_LENGTH = 32;

export type ScrapeRequest = {
  readonly authorization: string | undefined;
  /** The socket's remote address, never a forwarded one. */
  readonly remoteAddress: string | undefined;
  /** Whether the request carries Forwarded or X-Forwarded-For (it came through a proxy). */
  readonly forwarded: boolean;
};

/** `scrape`: served without a token check; `token`: the API's bearer-token check decides (operator). */
export type ScrapeDecision = 'scrape' | 'token';

export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** True when the two strings are equal; the time taken does not depend on where they differ. */
export function sameSecret(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;

export function decideScrape(request: ScrapeRequest, scrapeToken: string | undefined): ScrapeDecision {
  if (request.authorization !== undefined) {
    const presented = BEARER.exec(request.authorization)?.[1];
    return scrapeToken !== undefined && presented !== undefined && sameSecret(presented, scrapeToken)
      ? 'scrape'
      : 'token';
  }
  return isLoopbackAddress(request.remoteAddress) && !request.forwarded ? 'scrape' : 'token';
}

/** The scrape token in METRICS_BEARER_TOKEN_FILE (surrounding white space dropped); throws naming the variable. */
export function readScrapeToken(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`METRICS_BEARER_TOKEN_FILE: cannot read ${file} (${(error as Error).message})`);
  }
  const token = text.trim();
  if (token.length < MIN_SCRAPE_TOKEN_LENGTH || /\s/.test(token)) {
    throw new Error(
      `METRICS_BEARER_TOKEN_FILE: ${file} must hold one token of at least ${MIN_SCRAPE_TOKEN_LENGTH} characters without spaces (e.g. openssl rand -hex 32)`,
    );
  }
  return token;
}
