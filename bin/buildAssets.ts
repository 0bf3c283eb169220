/**
 * The files the compiled code reads at run time relative to its own location
 * (`new URL(…, import.meta.url)`): `npm run build` (bin/build.ts) copies them to the same paths
 * under dist/. Pure.
 */
export const RUNTIME_ASSETS = [
  'migrations',
  'schemas/avro',
  'test/samples',
  'local-stack/kafka-pom.xml',
  // The console's built shell (bin/build.ts builds it first), served by api/consoleRoutes.ts.
  'console/dist',
] as const;
