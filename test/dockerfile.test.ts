/**
 * No Docker engine runs where the tests run, so the Dockerfile is checked statically: two
 * stages (compile, then run), production dependencies only at run time, an unprivileged user, a
 * health check, the ports the configuration defaults to, and the compiled entry point run by
 * `node`. Also that what the compiled code imports at run time is in `dependencies` (so
 * `npm ci --omit=dev` suffices) and what it reads beside itself is copied by the build.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { configVariables } from '../platform/config.js';

const ROOT = new URL('../', import.meta.url).pathname;
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

type Instruction = { readonly keyword: string; readonly args: string };
type Stage = { readonly from: string; readonly name: string | undefined; readonly instructions: Instruction[] };

/** The Dockerfile's instructions (continuation lines joined, comments dropped), by stage. */
function dockerfileStages(text: string): { readonly args: Map<string, string>; readonly stages: Stage[] } {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: rest };
    if (instruction.keyword === 'FROM') {
      const [, image = '', name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest) ?? [];
      const resolved = image.replace(/^\$\{(\w+)\}$/, (_, arg: string) => args.get(arg) ?? image);
      stages.push({ from: resolved, name, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name = '', value = ''] = rest.split('=');
      args.set(name, value);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

const { stages } = dockerfileStages(read('Dockerfile'));
const build = stages[0];
const runtime = stages.at(-1);
const all = (stage: Stage | undefined, keyword: string) =>
  (stage?.instructions ?? []).filter((i) => i.keyword === keyword).map((i) => i.args);
const defaultOf = (name: string) => configVariables.find((v) => v.name === name)?.default;

describe('Dockerfile', () => {
  test('builds in one stage and runs in another, both from the official Node.js 24 image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.from).toMatch(/^node:24(-[a-z0-9-]+)?$/);
    expect(build?.name).toBeDefined();
    expect(all(build, 'RUN').join('\n')).toMatch(/\bnpm ci\b/);
    expect(all(build, 'RUN').join('\n')).toMatch(/\bnpm run build\b/);
    expect(all(runtime, 'COPY')).toContain(`--from=${build?.name} /src/dist ./dist`);
  });

  test('installs production dependencies only in the image it runs', () => {
    const runs = all(runtime, 'RUN').join('\n');
    expect(runs).toMatch(/\bnpm ci\b[^\n&]*--omit=dev/);
    // Nothing else installs packages, and TypeScript is not run: the compiled JavaScript is.
    expect(runs).not.toMatch(/npm (install|i)\b|\btsx\b|\bnpx\b/);
    expect(all(runtime, 'COPY').some((args) => args.startsWith('. ') || args === '. .')).toBe(false);
  });

  test('runs as an unprivileged user', () => {
    const users = all(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
  });

  test('checks its own health over HTTP with node, on the configured port', () => {
    const [healthcheck] = all(runtime, 'HEALTHCHECK');
    expect(healthcheck).toMatch(/CMD \["node", "-e", /);
    expect(healthcheck).toContain("fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health')");
    expect(defaultOf('PORT')).toBe('8080');
  });

  test('exposes the HTTP and MLLP ports the configuration defaults to', () => {
    const exposed = all(runtime, 'EXPOSE').flatMap((args) => args.split(/\s+/));
    expect(exposed.sort()).toEqual([defaultOf('MLLP_PORT'), defaultOf('PORT')].sort());
    // Inside a container the listeners must bind every interface; compose publishes them on 127.0.0.1.
    expect(all(runtime, 'ENV').join(' ')).toMatch(/LISTEN_HOST=0\.0\.0\.0/);
  });

  test('starts the compiled service with node', () => {
    const [entrypoint] = all(runtime, 'ENTRYPOINT');
    const argv = JSON.parse(entrypoint ?? '[]') as string[];
    expect(argv[0]).toBe('node');
    expect(argv.at(-1)).toBe('dist/bin/start.js');
    expect(existsSync(join(ROOT, 'bin/start.ts'))).toBe(true);
    expect(all(runtime, 'CMD')).toEqual([]);
  });

  test('keeps secrets, local state and dependencies out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim());
    for (const entry of ['.git', 'node_modules', 'dist', '.local-stack', 'secrets']) expect(ignored).toContain(entry);
  });
});

const packageJson = JSON.parse(read('package.json')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const buildConfig = JSON.parse(read('tsconfig.build.json')) as {
  compilerOptions: { outDir: string; noEmit: boolean };
  include: string[];
  exclude: string[];
};

/**
 * The TypeScript files the build compiles: those in its `include` folders (not tests, not
 * excluded files), and the modules elsewhere they import (tsc compiles those too).
 */
function compiledSources(): string[] {
  const excluded = new Set(buildConfig.exclude);
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : walk(path);
      return path.endsWith('.ts') && !path.endsWith('.test.ts') && !excluded.has(path) ? [path] : [];
    });
  const files = new Set(buildConfig.include.flatMap(walk));
  for (const file of files) {
    for (const [, specifier = ''] of read(file).matchAll(
      /^(?:import|export)\s+(?!type\s)[^;]*?from\s+'(\.[^']+)\.js'/gms,
    )) {
      const imported = `${join(file, '..', specifier)}.ts`;
      if (existsSync(join(ROOT, imported))) files.add(imported);
    }
  }
  return [...files];
}

/** Packages a module loads at run time: value imports, dynamic imports and require() calls (type-only imports are erased). */
function runtimePackages(source: string): string[] {
  const specifiers = [
    ...source.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^']+)'/gms),
    ...source.matchAll(/^import\s+'([^']+)'/gm),
    ...source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
    ...source.matchAll(/\brequire\(\s*'([^']+)'\s*\)/g),
  ].map((match) => match[1] ?? '');
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] ?? s)));
}

describe('npm run build', () => {
  test('compiles with tsconfig.build.json into dist/', () => {
    expect(packageJson.scripts.build).toBe('tsx bin/build.ts');
    expect(buildConfig.compilerOptions).toMatchObject({ outDir: 'dist', noEmit: false });
    expect(read('bin/build.ts')).toContain("'tsconfig.build.json'");
  });

  test('the compiled code loads only packages in dependencies, so npm ci --omit=dev runs it', () => {
    const sources = compiledSources();
    expect(sources).toContain('bin/start.ts');
    const missing = sources.flatMap((file) =>
      runtimePackages(read(file))
        .filter((name) => packageJson.dependencies[name] === undefined)
        .map(
          (name) => `${file}: ${name}${packageJson.devDependencies[name] === undefined ? '' : ' (a devDependency)'}`,
        ),
    );
    expect(missing).toEqual([]);
  });

  test('copies every file the compiled code reads relative to its own location', async () => {
    const { RUNTIME_ASSETS } = await import('../bin/buildAssets.js');
    for (const file of compiledSources()) {
      for (const match of read(file).matchAll(/new URL\('([^']+)', import\.meta\.url\)/g)) {
        const target = join(file, '..', match[1] ?? '').replace(/\/$/, '');
        if (target.endsWith('.ts') || target === '.' || target === '') continue;
        // The repository root (REPO_ROOT) and a module's own folder hold compiled code, not assets.
        const path = join(ROOT, target);
        if (existsSync(path) && statSync(path).isDirectory() && readdirSync(path).some((f) => f.endsWith('.ts')))
          continue;
        expect(
          RUNTIME_ASSETS.some((asset) => target === asset || target.startsWith(`${asset}/`)),
          `${file} reads ${target}`,
        ).toBe(true);
      }
    }
  });
});
