import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** Debian's chromium (scripts/install-system-deps.sh); CHROMIUM_PATH overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * A real headless Chromium for browser tests. The flags keep it off the network
 * (this workplace refuses outside connections) and make it run as root.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A real headless Chromium whose tabs really go hidden and visible again (Page Visibility API).
 * `launchBrowser()` cannot do that: Playwright turns on focus emulation for the pages it opens,
 * which keeps every page "visible". Here Chromium is started by hand and joined over CDP with
 * `noDefaults`, so pages in its default context are left alone: bringing another tab to the front
 * hides a page, bringing it back shows it, as for a person switching tabs.
 */
export async function launchTabbedBrowser(): Promise<{ browser: Browser; context: BrowserContext; close(): Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'dealsense-chromium-'));
  const proc = spawn(
    CHROMIUM_PATH,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    // Its own process group, so stopping it takes the renderer and helper processes too.
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = once(proc, 'exit');
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        proc.kill('SIGKILL');
      }
      await exited;
    }
    // A helper process can still be flushing into the profile for a moment: retry on ENOTEMPTY.
    await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  };
  try {
    const wsEndpoint = await new Promise<string>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`chromium did not start:\n${output}`)), 30_000);
      proc.stderr!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`chromium exited (${code}):\n${output}`));
      });
    });
    const browser = await chromium.connectOverCDP(wsEndpoint, { noDefaults: true, isLocal: true });
    return {
      browser,
      context: browser.contexts()[0]!,
      async close() {
        await browser.close().catch(() => undefined);
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
