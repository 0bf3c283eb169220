import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import {
  bundleSchema,
  conditionSchema,
  datatypesSchema,
  encounterSchema,
  medicationRequestSchema,
  subscriptionStatusParametersSchema,
  subscriptionStatusSchema,
} from './fhirSchemas.js';

const schemas = {
  encounterSchema,
  conditionSchema,
  medicationRequestSchema,
  bundleSchema,
  subscriptionStatusParametersSchema,
  subscriptionStatusSchema,
};

describe('fhirSchemas', () => {
  test.each(Object.entries(schemas).map(([name, schema]) => ({ name, schema })))(
    '$name compiles in strict mode, with every $ref resolved and no unknown keyword',
    ({ schema }) => {
      const ajv = new Ajv({
        strict: true,
        strictTypes: true,
        strictRequired: true,
        logger: false,
        schemas: [datatypesSchema],
      });
      expect(() => ajv.compile(schema)).not.toThrow();
    },
  );

  test.each([
    { name: 'Encounter', schema: encounterSchema, required: ['resourceType', 'status', 'class'] },
    { name: 'Condition', schema: conditionSchema, required: ['resourceType', 'subject'] },
    {
      name: 'MedicationRequest',
      schema: medicationRequestSchema,
      required: ['resourceType', 'status', 'intent', 'subject'],
    },
    { name: 'Bundle', schema: bundleSchema, required: ['resourceType', 'type'] },
  ])('$name requires the base R4 1..1 elements it relies on', ({ schema, required }) => {
    expect(schema.required).toEqual(required);
  });

  test('resources may carry elements we do not read', () => {
    const ajv = new Ajv({ schemas: [datatypesSchema] });
    const validate = ajv.compile(conditionSchema);
    expect(validate({ resourceType: 'Condition', subject: {}, note: [{ text: 'x' }], extension: [] })).toBe(true);
  });
});
