/**
 * `npm run build [-- --out DIR]`: compiles the service to JavaScript in dist/ (or DIR) with
 * tsconfig.build.json, and copies beside the compiled modules the files they read at run time
 * relative to `import.meta.url`: the migrations, the Avro schemas, the demo's samples and the
 * local stack's Kafka pom, and the console's built shell (console/dist, built first when missing
 * or stale). Then `node dist/bin/start.js` runs with production dependencies only
 * (the Docker image). I/O.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { RUNTIME_ASSETS } from './buildAssets.js';
import { buildConsole, consoleBuildIsStale } from './consoleBuild.js';

const ROOT = new URL('../', import.meta.url).pathname;
const outAt = process.argv.indexOf('--out');
const OUT = outAt === -1 ? join(ROOT, 'dist') : resolve(process.argv[outAt + 1] ?? 'dist');

rmSync(OUT, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', OUT], {
  stdio: 'inherit',
});
if (compiled.status !== 0) {
  process.stderr.write('build: tsc -p tsconfig.build.json failed (errors above)\n');
  process.exit(compiled.status ?? 1);
}
if (consoleBuildIsStale(ROOT)) buildConsole(ROOT);
for (const asset of RUNTIME_ASSETS) {
  const from = join(ROOT, asset);
  if (!existsSync(from)) {
    process.stderr.write(`build: ${asset} is missing; RUNTIME_ASSETS in bin/buildAssets.ts names it\n`);
    process.exit(1);
  }
  cpSync(from, join(OUT, asset), { recursive: true });
}
process.stdout.write(`build: compiled into ${OUT}; copied ${RUNTIME_ASSETS.join(', ')}\n`);
