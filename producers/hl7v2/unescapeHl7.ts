/**
 * Decodes the escape sequences in one leaf value, after the message has been split on its delimiters.
 * `\F\ \S\ \T\ \R\ \E\` (and `\P\` when MSH-2 declares a truncation character) give the delimiter;
 * `\Xhh…\` gives bytes decoded in the message's charset (consecutive hex escapes are decoded together,
 * so a multi-byte character may be split across them). Every other sequence — formatting (`\H\ \N\
 * \.br\`), local (`\Z…\`) and charset switches (`\C…\ \M…\`) — is kept literally, escape characters
 * included. Pure.
 */
import { err, ok, type Result } from '../../core/result.js';
import { decodeBytes, type Hl7Charset } from './decodeHl7Text.js';
import type { Hl7EncodingCharacters } from './hl7Message.js';

/** `unterminated`: an escape character with no closing one in the same leaf. `bad-hex`: a malformed or undecodable `\X…\`. */
export type Hl7EscapeError = { readonly problem: 'unterminated' | 'bad-hex' };

const HEX = /^X(?:[0-9A-Fa-f]{2})+$/;

function namedEscape(sequence: string, encoding: Hl7EncodingCharacters): string | undefined {
  switch (sequence) {
    case 'F':
      return encoding.field;
    case 'S':
      return encoding.component;
    case 'T':
      return encoding.subcomponent;
    case 'R':
      return encoding.repetition;
    case 'E':
      return encoding.escape;
    case 'P':
      return encoding.truncation;
    default:
      return undefined;
  }
}

function hexBytes(sequence: string): readonly number[] {
  const bytes: number[] = [];
  for (let i = 1; i < sequence.length; i += 2) bytes.push(Number.parseInt(sequence.slice(i, i + 2), 16));
  return bytes;
}

export function unescapeHl7(
  text: string,
  encoding: Hl7EncodingCharacters,
  charset: Hl7Charset,
): Result<string, Hl7EscapeError> {
  const escapeChar = encoding.escape;
  if (!text.includes(escapeChar)) return ok(text);
  const parts: string[] = [];
  let pendingBytes: number[] = [];
  const flushBytes = (): boolean => {
    if (pendingBytes.length === 0) return true;
    const decoded = decodeBytes(Uint8Array.from(pendingBytes), charset);
    pendingBytes = [];
    if (decoded.ok) parts.push(decoded.value);
    return decoded.ok;
  };
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf(escapeChar, i);
    const close = open < 0 ? -1 : text.indexOf(escapeChar, open + 1);
    if (open >= 0 && close < 0) return err({ problem: 'unterminated' });
    const literalEnd = open < 0 ? text.length : open;
    if (literalEnd > i) {
      if (!flushBytes()) return err({ problem: 'bad-hex' });
      parts.push(text.slice(i, literalEnd));
    }
    if (open < 0) break;
    const sequence = text.slice(open + 1, close);
    if (sequence.startsWith('X')) {
      if (!HEX.test(sequence)) return err({ problem: 'bad-hex' });
      pendingBytes.push(...hexBytes(sequence));
    } else {
      if (!flushBytes()) return err({ problem: 'bad-hex' });
      parts.push(namedEscape(sequence, encoding) ?? `${escapeChar}${sequence}${escapeChar}`);
    }
    i = close + 1;
  }
  if (!flushBytes()) return err({ problem: 'bad-hex' });
  return ok(parts.join(''));
}
