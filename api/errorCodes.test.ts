/**
 * Every error code the API can answer is documented in api/README.md, one line each, and every
 * documented code is one the code can answer: the codes written in the route and problem
 * modules, and those made from rejection kinds (JSON problem codes, FHIR OperationOutcomes).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { rejectionCode } from '../core/problemDetails.js';
import { fhirAnswerFor } from '../producers/fhir/toOperationOutcome.js';
import { jsonAnswers } from '../producers/json/interpretJsonEvent.js';

const root = join(import.meta.dirname, '..');

/** The modules that answer HTTP problems: api/ and the ingest routes and the problem builders outside it. */
const answeringModules = [
  ...readdirSync(join(root, 'api'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => `api/${f}`),
  'producers/json/jsonRoutes.ts',
  'producers/fhir/fhirRoutes.ts',
  'platform/replyProblem.ts',
  'core/problemDetails.ts',
];

function codesWritten(): ReadonlySet<string> {
  const codes = new Set<string>();
  for (const file of answeringModules) {
    for (const match of readFileSync(join(root, file), 'utf8').matchAll(/'(CEL_ERR_[A-Z0-9_]+)'/g))
      codes.add(match[1] ?? '');
  }
  return codes;
}

function codesDocumented(): readonly string[] {
  const readme = readFileSync(join(root, 'api/README.md'), 'utf8');
  return [...readme.matchAll(/^\| `(CEL_ERR_[A-Z0-9_]+)`/gm)].map((m) => m[1] ?? '');
}

describe('the API error codes', () => {
  test('every code the API can answer has one line in api/README.md, and every line is a code it answers', () => {
    const answered = new Set([
      ...codesWritten(),
      ...Object.keys(jsonAnswers).map(rejectionCode),
      ...Object.values(fhirAnswerFor).map((a) => a.celCode),
    ]);
    const documented = codesDocumented();
    expect(documented.length, 'a code documented twice').toBe(new Set(documented).size);
    expect([...answered].filter((c) => !documented.includes(c)).sort(), 'answered but not documented').toEqual([]);
    expect(documented.filter((c) => !answered.has(c)).sort(), 'documented but never answered').toEqual([]);
  });

  test('a JSON rejection kind becomes its code, as the FHIR table spells it', () => {
    for (const [kind, answer] of Object.entries(fhirAnswerFor)) expect(rejectionCode(kind)).toBe(answer.celCode);
  });
});
