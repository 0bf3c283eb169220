import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedAlgorithms } from '../auth/verifyToken.js';
import { authFromConfig } from './authPlugin.js';
import { consoleContentSecurityPolicy, consoleRoutes, devConsoleClient } from './consoleRoutes.js';

let root: string;
const apps: FastifyInstance[] = [];

async function appWith(options: Parameters<typeof consoleRoutes>[1]): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(helmet, { global: true, contentSecurityPolicy: { directives: { defaultSrc: ["'none'"] } } });
  await app.register(consoleRoutes, options);
  apps.push(app);
  return app;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'console-dist-'));
  await mkdir(join(root, 'assets'));
  await writeFile(join(root, 'index.html'), '<!doctype html><title>Clinical event log console</title>');
  await writeFile(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await rm(root, { recursive: true, force: true });
});

describe('the console shell', () => {
  it('answers index.html for /console, /console/ and the callback, under its own CSP', async () => {
    const app = await appWith({ client: devConsoleClient, root });
    for (const url of ['/console', '/console/', '/console/callback?code=abc&state=def&iss=x']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.body).toContain('Clinical event log console');
      const csp = String(response.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
    }
  });

  it('serves hashed assets as immutable, refuses names that leave the assets', async () => {
    const app = await appWith({ client: devConsoleClient, root });
    const asset = await app.inject({ method: 'GET', url: '/console/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toMatch(/immutable/);
    expect((await app.inject({ method: 'GET', url: '/console/assets/missing.js' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/console/assets/..%2Findex.html' })).statusCode).toBe(400);
  });

  it("names the issuer and client it signs in with, and lets it connect to a provider's origin only then", async () => {
    const app = await appWith({ client: devConsoleClient, root });
    const config = await app.inject({ method: 'GET', url: '/console/config.json' });
    expect(config.json()).toEqual({
      issuer: devConsoleClient.issuer,
      clientId: 'clinical-event-log-console',
      discoveryUrl: '/.well-known/openid-configuration',
      scope: 'openid',
    });
    expect(consoleContentSecurityPolicy('https://login.example').directives.connectSrc).toEqual([
      "'self'",
      'https://login.example',
    ]);
  });

  it("with a real provider, signs in with the provider's endpoints and the development sign-in is not served", async () => {
    const trust = await authFromConfig(
      {
        mode: 'oidc',
        issuer: 'https://login.example/realms/nhs/',
        audience: 'clinical-event-log',
        jwksUrl: new URL('https://login.example/realms/nhs/protocol/openid-connect/certs'),
        algorithms: allowedAlgorithms,
        clockSkewSeconds: 30,
        consoleClientId: 'cel-console',
      },
      join(root, 'unused'),
    );
    expect(trust.devIssuer).toBeUndefined();
    expect(trust.console).toEqual({
      issuer: 'https://login.example/realms/nhs/',
      discoveryUrl: 'https://login.example/realms/nhs/.well-known/openid-configuration',
      clientId: 'cel-console',
      scope: 'openid',
      issuerOrigin: 'https://login.example',
    });
  });

  it('says how to build it when it is not built', async () => {
    const app = await appWith({ client: devConsoleClient, root: join(root, 'nowhere') });
    const response = await app.inject({ method: 'GET', url: '/console/' });
    expect(response.statusCode).toBe(503);
    expect(response.body).toMatch(/npm run console:build/);
  });
});
