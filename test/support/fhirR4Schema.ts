/**
 * The official FHIR R4 JSON schema (test/fhir-r4/fhir.schema.json.gz, see the README there),
 * compiled once with ajv: a validator per resource type, answering the ajv errors or none.
 * The file is the schema of R4's first release (4.0.0): its FHIRVersion enums stop at 4.0.0.
 * The 4.0.1 technical correction added `4.0.1` to them, so that one code is added here, and
 * nothing else is changed. Test support; I/O (reads the schema file).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import draft6 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };

const SCHEMA_FILE = new URL('../fhir-r4/fhir.schema.json.gz', import.meta.url);
const SCHEMA_KEY = 'fhir-r4';

let ajv: Ajv | undefined;

/** The elements whose enum is the FHIRVersion value set (checked: the file has exactly these). */
const FHIR_VERSION_ENUMS = [
  ['CapabilityStatement', 'fhirVersion'],
  ['StructureDefinition', 'fhirVersion'],
  ['ImplementationGuide', 'fhirVersion', 'items'],
  ['ImplementationGuide_Resource', 'fhirVersion', 'items'],
] as const;

type Node = { enum?: string[]; items?: Node };

function withFhirVersion401(schema: Record<string, unknown>): void {
  const definitions = schema.definitions as Record<string, { properties: Record<string, Node> }>;
  for (const [definition, property, items] of FHIR_VERSION_ENUMS) {
    const element = definitions[definition]?.properties[property];
    const node = items === undefined ? element : element?.items;
    if (node?.enum?.at(-1) !== '4.0.0') throw new Error(`${definition}.${property} is not the 4.0.0 FHIRVersion enum`);
    node.enum.push('4.0.1');
  }
}

function compiled(): Ajv {
  if (ajv !== undefined) return ajv;
  const {
    id,
    $schema: _meta,
    ...schema
  } = JSON.parse(gunzipSync(readFileSync(SCHEMA_FILE)).toString('utf8')) as {
    id: string;
    $schema: string;
  } & Record<string, unknown>;
  if (id !== 'http://hl7.org/fhir/json-schema/4.0')
    throw new Error(`${SCHEMA_FILE.pathname} is not the R4 schema (${id})`);
  withFhirVersion401(schema);
  // strict off: the schema carries `discriminator` and `id` (draft-04 style), which ajv's strict mode refuses.
  const instance = new Ajv({ strict: false, allErrors: true });
  instance.addMetaSchema(draft6);
  instance.addSchema({ ...schema, $id: id }, SCHEMA_KEY);
  ajv = instance;
  return instance;
}

/** Compiles these definitions now (seconds: the schema is 3 MB), for a `beforeAll` with a timeout that allows it. */
export function compileFhirR4Schema(resourceTypes: readonly string[]): void {
  for (const type of resourceTypes) validatorOf(type);
}

function validatorOf(resourceType: string): ValidateFunction {
  const validate = compiled().getSchema(`${SCHEMA_KEY}#/definitions/${resourceType}`) as ValidateFunction | undefined;
  if (validate === undefined) throw new Error(`the R4 schema has no definition ${resourceType}`);
  return validate;
}

/** The schema errors of `resource` against the R4 definition of `resourceType` (empty: valid). */
export function fhirSchemaErrors(resourceType: string, resource: unknown): readonly ErrorObject[] {
  const validate = validatorOf(resourceType);
  return validate(resource) ? [] : [...(validate.errors ?? [])];
}
