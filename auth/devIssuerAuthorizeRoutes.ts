/**
 * The development issuer's authorization-code flow with PKCE, over HTTP, so signing in locally
 * goes the way it goes with a real provider: `GET /dev-issuer/authorize` shows a sign-in page
 * where one picks a role (and optionally a patient), `POST /dev-issuer/authorize` sends the
 * browser back to the client's redirect URI with a single-use code, and `POST /dev-issuer/token`
 * exchanges the code and its PKCE verifier for a token the service verifies like any other.
 * The rules are in devIssuerAuthorize.ts. Registered only when the development issuer is the
 * issuer (api/authPlugin.ts). I/O.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseNhsNumber } from '../core/nhsNumber.js';
import { type DevSigningKey, mintDevToken } from './devIssuer.js';
import { type CodeStore, createCodeStore, type OAuthError, readAuthorizationRequest } from './devIssuerAuthorize.js';
import { isRole, roleDescriptions, roles } from './roles.js';

export type DevAuthorizeOptions = {
  readonly key: DevSigningKey;
  /** The `aud` of the tokens it gives: the service's configured audience. */
  readonly audience: string;
  readonly clock: () => Date;
  /** Lifetime of the tokens it gives. */
  readonly tokenTtlSeconds?: number;
  readonly codes?: CodeStore;
};

export const AUTHORIZE_PATH = '/dev-issuer/authorize';
export const TOKEN_PATH = '/dev-issuer/token';
const FORM = 'application/x-www-form-urlencoded';

const PAGE_STYLE =
  'body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5}' +
  'fieldset{margin:1rem 0;padding:.5rem 1rem}label{display:block;margin:.25rem 0}' +
  'input[type=text]{font-size:1rem;padding:.3rem}button{font-size:1rem;padding:.4rem 1.2rem;margin-top:1rem}' +
  ':focus-visible{outline:3px solid #1d70b8;outline-offset:2px}small{color:#505a5f}';
const STYLE_HASH = `'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`;

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const originOf = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

function refuseOAuth(reply: FastifyReply, error: OAuthError, status = 400): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').header('pragma', 'no-cache').send(error);
}

function signInPage(params: Readonly<Record<string, string>>, clientId: string): string {
  const hidden = Object.entries(params)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n      ');
  const choices = roles
    .map(
      (role, i) =>
        `<label><input type="radio" name="role" value="${role}"${i === 0 ? ' checked' : ''}> ${role} <small>— ${escapeHtml(roleDescriptions[role].purpose)}</small></label>`,
    )
    .join('\n        ');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Sign in — development issuer</title>
  <style>${PAGE_STYLE}</style>
</head>
<body>
  <main>
    <h1>Sign in to the clinical event log</h1>
    <p>Development issuer: pick the role to sign in as. <strong>${escapeHtml(clientId)}</strong> asks for a token.</p>
    <form method="post" action="${AUTHORIZE_PATH}">
      ${hidden}
      <fieldset>
        <legend>Role</legend>
        ${choices}
      </fieldset>
      <label for="patient">Patient NHS number (optional: a token for this patient only)</label>
      <input type="text" id="patient" name="patient" inputmode="numeric" autocomplete="off" pattern="[0-9 ]{10,12}" aria-describedby="patient-hint">
      <p id="patient-hint"><small>Ten digits. Leave empty for a token that is not bound to one patient.</small></p>
      <button type="submit">Sign in</button>
    </form>
  </main>
</body>
</html>
`;
}

const stringFields = (value: unknown): Record<string, string> =>
  Object.fromEntries(
    Object.entries(value !== null && typeof value === 'object' ? value : {}).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );

const AUTHORIZE_PARAMS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
] as const;

export async function devIssuerAuthorizeRoutes(app: FastifyInstance, options: DevAuthorizeOptions): Promise<void> {
  const codes = options.codes ?? createCodeStore();
  const tokenTtlSeconds = options.tokenTtlSeconds ?? 3600;
  app.addContentTypeParser(FORM, { parseAs: 'string' }, (_request, body, done) => {
    const params = new URLSearchParams(String(body));
    done(null, Object.fromEntries(params));
  });

  const querystring = {
    type: 'object',
    properties: Object.fromEntries(AUTHORIZE_PARAMS.map((name) => [name, { type: 'string', maxLength: 2000 }])),
    // Parameters it does not know are ignored, as RFC 6749 §3.1 asks (nonce, prompt, …).
    additionalProperties: true,
  };

  app.get(AUTHORIZE_PATH, { schema: { hide: true, querystring } }, async (request, reply) => {
    const query = stringFields(request.query);
    const checked = readAuthorizationRequest(query, originOf(request));
    if (!checked.ok) return refuseOAuth(reply, checked.error);
    const carried = Object.fromEntries(
      AUTHORIZE_PARAMS.flatMap((name) => (query[name] === undefined ? [] : [[name, query[name]]])),
    );
    const redirectOrigin = new URL(checked.value.redirectUri).origin;
    return reply
      .header(
        'content-security-policy',
        `default-src 'none'; style-src ${STYLE_HASH}; form-action 'self' ${redirectOrigin}; base-uri 'none'; frame-ancestors 'none'`,
      )
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(signInPage(carried, checked.value.clientId));
  });

  app.post(AUTHORIZE_PATH, { schema: { hide: true } }, async (request, reply) => {
    const form = stringFields(request.body);
    const checked = readAuthorizationRequest(form, originOf(request));
    if (!checked.ok) return refuseOAuth(reply, checked.error);
    const role = form.role ?? '';
    if (!isRole(role))
      return refuseOAuth(reply, {
        error: 'invalid_request',
        error_description: `role must be one of ${roles.join(', ')}`,
      });
    const patientText = (form.patient ?? '').replace(/\s+/g, '');
    let patient: string | undefined;
    if (patientText !== '') {
      const parsed = parseNhsNumber(patientText);
      if (!parsed.ok)
        return refuseOAuth(reply, { error: 'invalid_request', error_description: 'patient is not a valid NHS number' });
      patient = parsed.value;
    }
    const code = codes.issue(
      { ...checked.value, role, ...(patient === undefined ? {} : { patient }) },
      options.clock(),
    );
    const target = new URL(checked.value.redirectUri);
    target.searchParams.set('code', code);
    if (checked.value.state !== '') target.searchParams.set('state', checked.value.state);
    return reply.header('cache-control', 'no-store').redirect(target.toString(), 303);
  });

  app.post(TOKEN_PATH, { schema: { hide: true } }, async (request, reply) => {
    const form = stringFields(request.body);
    const redeemed = codes.redeem(
      {
        grantType: form.grant_type,
        code: form.code,
        redirectUri: form.redirect_uri,
        clientId: form.client_id,
        codeVerifier: form.code_verifier,
      },
      options.clock(),
    );
    if (!redeemed.ok) return refuseOAuth(reply, redeemed.error);
    const grant = redeemed.value;
    const accessToken = await mintDevToken(options.key, {
      role: grant.role,
      ...(grant.patient === undefined ? {} : { patient: grant.patient }),
      ttlSeconds: tokenTtlSeconds,
      clientId: grant.clientId,
      audience: options.audience,
      now: options.clock(),
    });
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      scope?: string;
    };
    return reply
      .header('cache-control', 'no-store')
      .header('pragma', 'no-cache')
      .send({
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: tokenTtlSeconds,
        scope: claims.scope ?? '',
      });
  });
}
