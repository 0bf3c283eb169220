import { describe, expect, test } from 'vitest';
import { initialResponse, refusalIn } from './oauthBearerAuthenticator.js';

describe('OAUTHBEARER client messages', () => {
  test('the initial response is the GS2 header, the bearer token and two SOH (RFC 7628 §3.1)', () => {
    expect(initialResponse('a.b.c').toString()).toBe('n,,\u0001auth=Bearer a.b.c\u0001\u0001');
  });

  test("an empty answer accepts the token; the broker's error challenge refuses it, with its status", () => {
    expect(refusalIn(undefined)).toBeUndefined();
    expect(refusalIn(Buffer.alloc(0))).toBeUndefined();
    // As the SaslAuthenticate response carries it: a 4-byte length, then the JSON.
    const challenge = Buffer.from('{"status":"invalid_token"}');
    const length = Buffer.alloc(4);
    length.writeInt32BE(challenge.length);
    expect(refusalIn(Buffer.concat([length, challenge]))).toBe('status "invalid_token"');
    expect(refusalIn(Buffer.from('{"status":"insufficient_scope","scope":"kafka"}'))).toBe(
      'status "insufficient_scope", scope "kafka"',
    );
    expect(refusalIn(Buffer.from('{not json'))).toMatch(/answered the token with/);
  });
});
