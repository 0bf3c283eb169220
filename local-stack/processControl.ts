/** Child processes and ports of the local stack: liveness, a clean stop, free ports. I/O. */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Whether `pid` is alive and (where /proc exists) its command line contains `marker`, so a
 * recycled pid from a crashed run is not mistaken for our broker.
 */
export async function isOurProcessAlive(pid: number, marker: string): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.length === 0) return false; // a zombie has an empty command line
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    if (/\) Z /.test(stat)) return false;
    return cmdline.includes(marker);
  } catch {
    return process.platform !== 'linux'; // no /proc: trust kill(0)
  }
}

export type StopOutcome = 'not-running' | 'stopped' | 'killed';

/** SIGTERM, wait up to `graceMs` for the process to exit, then SIGKILL. */
export async function stopProcess(pid: number, marker: string, graceMs = 30_000): Promise<StopOutcome> {
  if (!(await isOurProcessAlive(pid, marker))) return 'not-running';
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!(await isOurProcessAlive(pid, marker))) return 'stopped';
    await delay(100);
  }
  process.kill(pid, 'SIGKILL');
  while (await isOurProcessAlive(pid, marker)) await delay(50);
  return 'killed';
}

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port the OS reports free right now. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
