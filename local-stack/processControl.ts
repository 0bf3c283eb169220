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

/**
 * A port free right now, chosen below the kernel's ephemeral range: a port from that range
 * can be taken by any outgoing connection while a broker on it restarts after a crash.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const low = 20_000;
  const high = await ephemeralRangeStart();
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = low + Math.floor(Math.random() * Math.max(1, high - low));
    if (await isPortFree(port, host)) return port;
  }
  throw new Error(`no free port between ${low} and ${high}`);
}

async function ephemeralRangeStart(): Promise<number> {
  try {
    const [start] = (await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).trim().split(/\s+/);
    const value = Number(start);
    return Number.isInteger(value) && value > 21_000 ? value : 32_768;
  } catch {
    return 32_768; // no /proc: the common Linux default
  }
}
