/**
 * The console's static shell at /console (built by `npm run console:build` into console/dist,
 * copied beside the compiled code by `npm run build`), served anonymously: it holds no patient
 * data, the API it calls checks the token. `index.html` answers /console, /console/ and the
 * sign-in callback; hashed assets are under /console/assets/. `GET /console/config.json` tells
 * the shell which issuer to sign in with (the development issuer's documents here, or the
 * configured provider's) and its client id. Its pages have a CSP of their own: its scripts and
 * styles, and connections to this service and the issuer only. I/O.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DEV_ISSUER } from '../auth/devIssuer.js';

/** Who the console signs in with. */
export type ConsoleClient = {
  /** The issuer's identifier (`iss`). */
  readonly issuer: string;
  /** Its discovery document: absolute, or a path on this service (the development issuer). */
  readonly discoveryUrl: string;
  /** The console's OAuth client id (CONSOLE_CLIENT_ID). */
  readonly clientId: string;
  /** What the console asks for. */
  readonly scope: string;
  /** The issuer's origin when it is elsewhere: the console connects to its token endpoint. */
  readonly issuerOrigin?: string;
};

export const DEFAULT_CONSOLE_CLIENT_ID = 'clinical-event-log-console';

/** The development issuer's: its discovery document is this service's. */
export const devConsoleClient: ConsoleClient = {
  issuer: DEV_ISSUER,
  discoveryUrl: '/.well-known/openid-configuration',
  clientId: DEFAULT_CONSOLE_CLIENT_ID,
  scope: 'openid',
};

export type ConsoleOptions = {
  readonly client: ConsoleClient;
  /** The built shell; console/dist beside the service's code when absent. */
  readonly root?: string;
};

export const CONSOLE_DIST = fileURLToPath(new URL('../console/dist/', import.meta.url));

/** The CSP of the console's answers: its own files, and connections to this service and the issuer. */
export function consoleContentSecurityPolicy(issuerOrigin: string | undefined) {
  const connect = issuerOrigin === undefined ? ["'self'"] : ["'self'", issuerOrigin];
  return {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: connect,
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
  };
}

const ASSET = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

export async function consoleRoutes(app: FastifyInstance, options: ConsoleOptions): Promise<void> {
  const root = options.root ?? CONSOLE_DIST;
  const built = existsSync(`${root}/index.html`);
  if (built) await app.register(fastifyStatic, { root, serve: false });
  const helmet = { contentSecurityPolicy: consoleContentSecurityPolicy(options.client.issuerOrigin) };
  const notBuilt = (reply: FastifyReply) =>
    reply
      .code(503)
      .type('text/plain; charset=utf-8')
      .send(`The console is not built (${root} has no index.html): run npm run console:build\n`);

  const shell = async (reply: FastifyReply) => {
    if (!built) return notBuilt(reply);
    return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
  };
  for (const url of ['/console', '/console/'])
    app.get(url, { schema: { hide: true }, helmet }, async (_request, reply) => shell(reply));
  // The sign-in callback: the issuer sends the code and state (or an error) here.
  app.get(
    '/console/callback',
    {
      schema: {
        hide: true,
        querystring: {
          type: 'object',
          properties: {
            code: { type: 'string', maxLength: 2000 },
            state: { type: 'string', maxLength: 2000 },
            error: { type: 'string', maxLength: 200 },
            error_description: { type: 'string', maxLength: 2000 },
          },
          // Providers add their own (iss, session_state): the shell reads what it needs.
          additionalProperties: true,
        },
      },
      helmet,
    },
    async (_request, reply) => shell(reply),
  );
  app.get<{ Params: { file: string } }>(
    '/console/assets/:file',
    {
      schema: {
        hide: true,
        params: { type: 'object', properties: { file: { type: 'string', pattern: ASSET.source } }, required: ['file'] },
      },
      helmet,
    },
    async (request, reply) => {
      if (!built) return notBuilt(reply);
      // Hashed names: a file never changes under its name.
      return reply.sendFile(`assets/${request.params.file}`, { maxAge: '365d', immutable: true });
    },
  );
  app.get('/console/config.json', { schema: { hide: true }, helmet }, async (_request, reply) => {
    const { issuer, clientId, discoveryUrl, scope } = options.client;
    return reply.header('cache-control', 'no-cache').send({ issuer, clientId, discoveryUrl, scope });
  });
}
