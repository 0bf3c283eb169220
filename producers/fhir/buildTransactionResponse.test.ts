import { describe, expect, test } from 'vitest';
import { buildTransactionResponse } from './buildTransactionResponse.js';

describe('buildTransactionResponse', () => {
  test('a transaction: one response per entry, in order, with Location and ETag', () => {
    expect(
      buildTransactionResponse(
        'transaction',
        [
          { outcome: 'created', resourceKey: 'Encounter/vw-enc-4471/_history/1' },
          { outcome: 'created', resourceKey: 'Condition/vw-cond-4471-1/_history/1' },
        ],
        'corr-1',
      ),
    ).toEqual({
      resourceType: 'Bundle',
      type: 'transaction-response',
      entry: [
        { response: { status: '201 Created', location: 'Encounter/vw-enc-4471/_history/1', etag: 'W/"1"' } },
        { response: { status: '201 Created', location: 'Condition/vw-cond-4471-1/_history/1', etag: 'W/"1"' } },
      ],
    });
  });

  test('a batch: a duplicate is 200 with an information outcome; a rejection carries its OperationOutcome', () => {
    const response = buildTransactionResponse(
      'batch',
      [
        { outcome: 'duplicate', resourceKey: 'Condition/c-1/_history/2' },
        {
          outcome: 'rejected',
          rejection: { kind: 'required-field-missing', location: 'Bundle.entry[1].resource.code', reason: 'r' },
        },
        {
          outcome: 'rejected',
          rejection: { kind: 'cardinality-violated', location: 'Bundle.entry[2].resource.subject', reason: 'r' },
        },
        { outcome: 'parked', resourceKey: 'Condition/c-3/_history/1' },
      ],
      'corr-2',
    );
    expect(response.type).toBe('batch-response');
    expect(
      response.entry.map((e) => [e.response.status, e.response.location, e.response.outcome?.issue[0]?.code]),
    ).toEqual([
      ['200 OK', 'Condition/c-1/_history/2', 'informational'],
      ['422 Unprocessable Entity', undefined, 'required'],
      ['400 Bad Request', undefined, 'required'],
      ['202 Accepted', 'Condition/c-3/_history/1', 'informational'],
    ]);
    expect(response.entry[1]?.response.outcome?.issue[0]).toMatchObject({
      expression: ['Bundle.entry[1].resource.code'],
      diagnostics: 'correlation id corr-2',
    });
  });

  test('a resource known only by its fullUrl has no Location or ETag', () => {
    const response = buildTransactionResponse(
      'batch',
      [{ outcome: 'created', resourceKey: 'urn:uuid:0b8a6c1e-2f3d-4e5a-9b7c-1d2e3f4a5b6c' }],
      'c',
    );
    expect(response.entry[0]?.response).toEqual({ status: '201 Created' });
  });
});
