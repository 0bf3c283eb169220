import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decideScrape, isLoopbackAddress, readScrapeToken, sameSecret } from './scrapeAccess.js';

const TOKEN = 'a'.repeat(20) + 'b'.repeat(20);

describe('who scrapes without an operator token', () => {
  test('loopback addresses, IPv4 and IPv6, and IPv4-mapped', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])
      expect(isLoopbackAddress(address)).toBe(true);
    for (const address of ['10.0.0.1', '::ffff:10.0.0.1', '192.168.1.127', '::', '0.0.0.0', 'fe80::1', undefined])
      expect(isLoopbackAddress(address)).toBe(false);
  });

  test('anonymous from loopback; anonymous from elsewhere, or through a proxy, goes to the token check', () => {
    expect(decideScrape({ authorization: undefined, remoteAddress: '127.0.0.1', forwarded: false }, undefined)).toBe(
      'scrape',
    );
    expect(decideScrape({ authorization: undefined, remoteAddress: '::1', forwarded: false }, TOKEN)).toBe('scrape');
    expect(decideScrape({ authorization: undefined, remoteAddress: '203.0.113.7', forwarded: false }, TOKEN)).toBe(
      'token',
    );
    expect(decideScrape({ authorization: undefined, remoteAddress: '127.0.0.1', forwarded: true }, TOKEN)).toBe(
      'token',
    );
  });

  test('the static token from anywhere; another bearer (an operator JWT, a wrong token) goes to the token check', () => {
    const from = (authorization: string) => ({ authorization, remoteAddress: '203.0.113.7', forwarded: true });
    expect(decideScrape(from(`Bearer ${TOKEN}`), TOKEN)).toBe('scrape');
    expect(decideScrape(from(`bearer  ${TOKEN} `), TOKEN)).toBe('scrape');
    expect(decideScrape(from(`Bearer ${TOKEN}x`), TOKEN)).toBe('token');
    expect(decideScrape(from(`Basic ${TOKEN}`), TOKEN)).toBe('token');
    expect(decideScrape(from(`Bearer ${TOKEN}`), undefined)).toBe('token');
    // A token presented from loopback is still checked: a wrong one is not let through as anonymous.
    expect(decideScrape({ authorization: 'Bearer wrong', remoteAddress: '127.0.0.1', forwarded: false }, TOKEN)).toBe(
      'token',
    );
  });

  test('secrets compare by value, whatever their lengths', () => {
    expect(sameSecret(TOKEN, TOKEN)).toBe(true);
    expect(sameSecret(TOKEN, `${TOKEN}a`)).toBe(false);
    expect(sameSecret('', TOKEN)).toBe(false);
  });

  test('the token file: one long token, trimmed; a short or missing one names the variable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cel-scrape-'));
    await writeFile(join(dir, 'good'), `${TOKEN}\n`);
    await writeFile(join(dir, 'short'), 'abc\n');
    await writeFile(join(dir, 'spaces'), `${TOKEN} ${TOKEN}`);
    expect(readScrapeToken(join(dir, 'good'))).toBe(TOKEN);
    expect(() => readScrapeToken(join(dir, 'short'))).toThrow(/METRICS_BEARER_TOKEN_FILE: .*at least 32 characters/);
    expect(() => readScrapeToken(join(dir, 'spaces'))).toThrow(/METRICS_BEARER_TOKEN_FILE/);
    expect(() => readScrapeToken(join(dir, 'missing'))).toThrow(/METRICS_BEARER_TOKEN_FILE: cannot read/);
  });
});
