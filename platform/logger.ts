/** The one root pino logger; modules take a child of it. Redaction is a safety net: nothing logs patient data at info. */
import { type Logger, pino } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger } from 'pino';

export function createLogger(level: LogLevel, destination: pino.DestinationStream = pino.destination(2)): Logger {
  return pino(
    {
      level,
      base: { service: 'clinical-event-log' },
      redact: {
        paths: ['*.nhsNumber', '*.payload', '*.patient', 'req.headers.authorization', '*.password'],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
