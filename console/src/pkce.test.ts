import { describe, expect, it } from 'vitest';
import { randomToken, s256Challenge } from './pkce.js';

describe("the console's PKCE", () => {
  it("computes RFC 7636's example challenge", async () => {
    expect(await s256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });
  it('makes verifiers of 43 characters of the verifier alphabet, each different', () => {
    const a = randomToken();
    expect(a).toMatch(/^[A-Za-z0-9\-_]{43}$/);
    expect(randomToken()).not.toBe(a);
  });
});
