import Fastify from 'fastify';
import { describe, expect, test } from 'vitest';
import { PROBLEM_CONTENT_TYPE } from '../core/problemDetails.js';
import { registerProblemHandler } from './problemDetails.js';

function appThrowing(error: Error) {
  const app = Fastify({ logger: false });
  registerProblemHandler(app);
  app.get('/boom', async () => {
    throw error;
  });
  return app;
}

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('the problem handler', () => {
  test('a database lost for a moment is a 503 with Retry-After, not an internal error', async () => {
    for (const error of [
      pgError('57P01', 'terminating connection due to administrator command'),
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
    ]) {
      const response = await appThrowing(error).inject({ method: 'GET', url: '/boom' });
      expect(response.statusCode, error.message).toBe(503);
      expect(response.headers['retry-after']).toBe('2');
      expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      expect(response.json()).toMatchObject({ status: 503, code: 'CEL_ERR_DATABASE_UNAVAILABLE' });
    }
  });

  test('any other failure is a 500 that says nothing of its internals', async () => {
    const response = await appThrowing(pgError('42P01', 'relation "secret_table" does not exist')).inject({
      method: 'GET',
      url: '/boom',
    });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({ code: 'CEL_ERR_INTERNAL' });
    expect(response.body).not.toContain('secret_table');
  });
});
