/**
 * Materialises a pinned Apache Kafka release's jars from Maven Central into the stack cache
 * (kafka-pom.xml pins the artifacts). The first run downloads ~54 MB and reports progress;
 * later runs find the cache and touch no network. I/O.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const POM = new URL('./kafka-pom.xml', import.meta.url).pathname;
const COMPLETE_MARKER = '.complete';

export class MissingToolError extends Error {
  readonly code = 'CEL_ERR_MISSING_TOOL';
  readonly retriable = false;
  constructor(
    readonly tool: 'java' | 'mvn',
    detail: string,
  ) {
    super(
      tool === 'java'
        ? `${detail}: the local Kafka broker needs a Java 17+ runtime on PATH (Debian: apt-get install openjdk-17-jre-headless), or set KAFKA_BROKERS to an existing cluster`
        : `${detail}: fetching the Kafka jars needs Apache Maven on PATH (Debian: apt-get install maven), or set KAFKA_BROKERS to an existing cluster`,
    );
    this.name = 'MissingToolError';
  }
}

export class KafkaJarsResolveError extends Error {
  readonly code = 'CEL_ERR_KAFKA_JARS';
  readonly retriable = true;
  constructor(
    readonly version: string,
    readonly outputTail: string,
  ) {
    super(
      `Maven could not resolve Apache Kafka ${version} from Maven Central; check the network and that KAFKA_VERSION names a published release.\n--- mvn output (last lines) ---\n${outputTail}`,
    );
    this.name = 'KafkaJarsResolveError';
  }
}

/** Checks that `java` runs and is 17 or newer; returns its major version. */
export function requireJava(): number {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error !== undefined) throw new MissingToolError('java', 'java not found');
  const match = /version "(\d+)(?:\.(\d+))?/.exec(result.stderr);
  const major = match?.[1] === '1' ? Number(match[2]) : Number(match?.[1]);
  if (!Number.isFinite(major) || major < 17) throw new MissingToolError('java', `java ${match?.[1] ?? '?'} is too old`);
  return major;
}

function requireMaven(): void {
  const result = spawnSync('mvn', ['--version'], { encoding: 'utf8' });
  if (result.error !== undefined) throw new MissingToolError('mvn', 'mvn not found');
}

export function kafkaJarsDir(cacheDir: string, version: string): string {
  return join(cacheDir, 'kafka', version, 'jars');
}

export type JarsProgress = (message: string) => void;

/** The directory holding the release's jars, downloading them first if the cache lacks them. */
export async function ensureKafkaJars(options: {
  readonly cacheDir: string;
  readonly version: string;
  readonly onProgress?: JarsProgress;
}): Promise<string> {
  const dir = kafkaJarsDir(options.cacheDir, options.version);
  if (existsSync(join(dir, COMPLETE_MARKER))) return dir;
  requireMaven();
  const progress = options.onProgress ?? (() => undefined);
  const staging = `${dir}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  progress(`Apache Kafka ${options.version}: resolving broker and tools jars from Maven Central (first run: ~54 MB)…`);
  const started = Date.now();
  const profile = options.version.startsWith('3.') ? 'kafka3' : 'kafka4';
  const child = spawn(
    'mvn',
    [
      '-B',
      '-f',
      POM,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${staging}`,
      `-Dkafka.version=${options.version}`,
      '-P',
      profile,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const tail: string[] = [];
  let downloaded = 0;
  const ticker = setInterval(
    () => progress(`  … ${downloaded} artifacts downloaded, ${Math.round((Date.now() - started) / 1000)} s`),
    5000,
  );
  const onLine = (line: string): void => {
    tail.push(line);
    if (tail.length > 30) tail.shift();
    if (line.includes('Downloaded from')) downloaded += 1;
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(ticker);
  if (code !== 0) {
    await rm(staging, { recursive: true, force: true });
    throw new KafkaJarsResolveError(options.version, tail.join('\n'));
  }
  const jars = (await readdir(staging)).filter((f) => f.endsWith('.jar'));
  await writeFile(join(staging, COMPLETE_MARKER), `${new Date().toISOString()} ${jars.length} jars\n`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, '..'), { recursive: true });
  await rename(staging, dir);
  progress(
    `Apache Kafka ${options.version}: ${jars.length} jars ready in ${Math.round((Date.now() - started) / 100) / 10} s (${downloaded} downloaded)`,
  );
  return dir;
}
