// The real API server as a child process, for benchmarks that measure it from outside.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface Server {
  child: ChildProcess;
  port: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  logTail: () => string;
}

export interface StopResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  /** The server did not exit within the timeout and was killed. */
  timedOut: boolean;
}

/** The kernel hands out a free port; we release it and give it to the server (PORT=0 cannot be discovered). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts src/server.ts with node itself (tsx as an --import hook), so the pid is the process
 * serving HTTP, not an npx/tsx wrapper. Only the settings given are passed: a stray
 * DATABASE_URL or REDIS_URL in the caller's environment would change what is measured.
 */
export function startServer(port: number, env: Record<string, string>, nodeArgs: string[] = []): Server {
  const inherited = ['PATH', 'HOME', 'LANG', 'TMPDIR', 'FFMPEG_PATH', 'FFPROBE_PATH'];
  const base = Object.fromEntries(inherited.flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/server.ts'], {
    cwd: REPO_ROOT,
    env: { ...base, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString('utf8')).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, port, exited, logTail: () => out.trim() };
}

export async function waitForHealth(server: Server, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void server.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`server exited during start-up:\n${server.logTail()}`);
    const ok = await fetch(`http://127.0.0.1:${server.port}/health`).then((r) => r.ok, () => false);
    if (ok) return;
    await sleep(200);
  }
  throw new Error(`server not healthy after ${timeoutMs} ms:\n${server.logTail()}`);
}

/** SIGTERM, then SIGKILL if the server has not exited within `timeoutMs`. */
export async function stopServer(server: Server, timeoutMs: number): Promise<StopResult> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return { ...(await server.exited), ms: 0, timedOut: false };
  const t0 = performance.now();
  server.child.kill('SIGTERM');
  // Cancelled once the server is gone, so a pending timer does not hold the bench open.
  const cancel = new AbortController();
  const timeout = sleep(timeoutMs, 'timeout' as const, { signal: cancel.signal }).catch(() => 'cancelled' as const);
  const result = await Promise.race([server.exited, timeout]);
  cancel.abort();
  if (typeof result === 'string') {
    server.child.kill('SIGKILL');
    return { ...(await server.exited), ms: performance.now() - t0, timedOut: true };
  }
  return { ...result, ms: performance.now() - t0, timedOut: false };
}
