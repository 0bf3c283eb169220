/**
 * The client side of SASL OAUTHBEARER (RFC 7628) for kafkajs, which tells a refused token from an
 * accepted one. kafkajs' own authenticator takes any answer to the token as success: a broker
 * that refuses the token answers with an error challenge (`{"status":"invalid_token"}`), and the
 * client then fails on its first request with an unrelated error. This one reads the answer and
 * fails the login there, with the broker's status, as a SASL authentication error. Pure, but for
 * the token provider it calls.
 */
import kafkajs, { type AuthenticationProviderArgs, type Authenticator, type Mechanism } from 'kafkajs';

// kafkajs' types give its errors no message argument; at run time they take one, as kafkajs' own authenticators pass.
const SaslAuthenticationError = kafkajs.KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;

const SOH = '\u0001';

/** The client's first message: GS2 header, `auth=Bearer <token>`, no extensions. */
export function initialResponse(token: string): Buffer {
  return Buffer.from(`n,,${SOH}auth=Bearer ${token}${SOH}${SOH}`);
}

/**
 * What the broker's answer to the token says: nothing (accepted), or the error challenge of
 * RFC 7628 §3.2.2, a JSON object with `status` (and perhaps `scope`, `openid-configuration`).
 */
export function refusalIn(answer: Buffer | undefined): string | undefined {
  if (answer === undefined) return undefined;
  const text = answer.toString('utf8');
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  try {
    const challenge = JSON.parse(text.slice(start)) as { status?: unknown; scope?: unknown };
    if (typeof challenge.status !== 'string') return 'the broker refused the token';
    return `status "${challenge.status}"${typeof challenge.scope === 'string' ? `, scope "${challenge.scope}"` : ''}`;
  } catch {
    return `the broker answered the token with ${JSON.stringify(text.slice(start, start + 200))}`;
  }
}

/** The kafkajs `sasl` option for OAUTHBEARER with a token from `tokenProvider`. */
export function oauthBearerMechanism(tokenProvider: () => Promise<{ value: string }>): Mechanism {
  return {
    mechanism: 'oauthbearer',
    authenticationProvider: ({ host, port, saslAuthenticate }: AuthenticationProviderArgs): Authenticator => ({
      authenticate: async () => {
        const { value } = await tokenProvider();
        let answer: Buffer | undefined;
        await saslAuthenticate<Buffer>({
          request: { encode: () => bufferWithLength(initialResponse(value)) },
          response: {
            decode: (raw) => raw,
            parse: (data) => {
              answer = data;
              return data;
            },
          },
        });
        const refusal = refusalIn(answer);
        if (refusal !== undefined)
          throw new SaslAuthenticationError(
            `SASL OAUTHBEARER authentication failed at ${host}:${port}: the broker refused the token (${refusal}): not signed by a key of the issuer it trusts, or not for its issuer or audience, or expired`,
          );
      },
    }),
  };
}

/** The SASL payload as kafkajs' encoders write it: a 4-byte length, then the bytes. */
function bufferWithLength(payload: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeInt32BE(payload.length);
  return Buffer.concat([length, payload]);
}
