/**
 * A message that does not parse, as a Rejection: AR kinds (`unparseable`) when the MSH itself
 * cannot be used, AE kinds (`invalid-structure`) when the MSH is fine and the body is not. Pure.
 */
import { assertNever } from '../../core/result.js';
import { quoteInReason, type Rejection } from '../rejection.js';
import type { Hl7ParseError } from './parseHl7.js';

export function rejectParseError(error: Hl7ParseError): Rejection {
  switch (error.kind) {
    case 'no-msh-segment':
      return { kind: 'unparseable', location: 'MSH', reason: 'the message does not start with an MSH segment' };
    case 'bad-encoding-characters':
      return {
        kind: 'unparseable',
        location: 'MSH-2',
        reason: 'MSH-1/MSH-2 are not a field separator and four distinct encoding characters',
      };
    case 'missing-required-msh-field':
      return { kind: 'unparseable', location: error.field, reason: `${error.field} is required and was not sent` };
    case 'charset':
      switch (error.problem) {
        case 'unsupported':
          return {
            kind: 'unparseable',
            location: 'MSH-18',
            reason: `MSH-18 names a character set this system does not decode (${quoteInReason(error.declared)})`,
          };
        case 'invalid-bytes':
          return {
            kind: 'invalid-structure',
            location: 'MSH-18',
            reason: `the bytes are not valid ${error.charset} (first bad byte at offset ${error.offset})`,
          };
        case 'undeclared':
          return {
            kind: 'invalid-structure',
            location: 'MSH-18',
            reason: `MSH-18 declares no character set, and the bytes above 0x7F (first at offset ${error.offset}) are not UTF-8; declare the character set in MSH-18 (8859/1 or UNICODE UTF-8)`,
          };
        default:
          return assertNever(error, 'HL7 charset error');
      }
    case 'bad-segment-id':
      // The id is what is broken, so there is no segment name to point at: the position says where.
      return {
        kind: 'invalid-structure',
        location: `segment ${error.segment}`,
        reason: `segment ${error.segment} does not start with a three-character segment id`,
      };
    case 'bad-escape':
      return {
        kind: 'invalid-structure',
        location: `${error.segmentId}-${error.field}`,
        reason: `segment ${error.segment} (${error.segmentId}-${error.field}[${error.repetition}].${error.component}.${error.subcomponent}): ${error.problem === 'unterminated' ? 'an escape sequence is not closed' : 'a \\X..\\ escape is not valid hex in the message charset'}`,
      };
    default:
      return assertNever(error, 'HL7 parse error');
  }
}
