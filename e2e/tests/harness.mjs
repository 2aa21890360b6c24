// Starts the real `cst serve --demo` on a fresh SQLite file and a free port, and a headless
// Debian Chromium driven by playwright-core. Screenshots go to e2e/screenshots/.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
export const shots = join(here, '..', 'screenshots');

export async function startCst() {
  const dir = mkdtempSync(join(tmpdir(), 'cst-e2e-'));
  const bin = process.env.CST_BIN ?? join(root, 'target', 'debug', 'cst');
  const database = `sqlite://${join(dir, 'cst.db')}`;
  const child = spawn(bin, ['serve', '--demo', '--listen', '127.0.0.1:0', '--database', database], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CST_LOG: 'warn' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`cst did not start: ${stderr}`)), 120_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[\d.:]+)\//);
      if (m && out.includes('demo login: fornitore')) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`cst exited ${code}: ${stderr}`)); });
  });
  return {
    base,
    database,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startBrowser() {
  mkdirSync(shots, { recursive: true });
  return chromium.launch({
    env: { ...process.env, LANG: 'it_IT.UTF-8' },
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--lang=it-IT', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function login(page, base, username, password) {
  await page.goto(`${base}/login`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
}

export async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/// Starts cst and Chromium before a file's tests and stops them after; the returned object
/// gives `base` (the server's address) and `browser` once started.
export function useCst() {
  const env = { cst: null, browser: null };
  before(async () => {
    env.cst = await startCst();
    env.browser = await startBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.cst?.stop();
  });
  return {
    get base() { return env.cst.base; },
    get browser() { return env.browser; },
  };
}
