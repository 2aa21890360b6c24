// Starts the real `cst serve --demo` on a fresh SQLite file and a free port, and a headless
// Debian Chromium driven by playwright-core. Screenshots go to e2e/screenshots/.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, readFileSync } from 'node:fs';
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
    get database() { return env.cst.database; },
    get browser() { return env.browser; },
  };
}

/// The two widths every page must work at: a phone and a desk.
export const PHONE = { width: 390, height: 844 };
export const DESK = { width: 1366, height: 768 };

/// A new page of its own context at `viewport` (PHONE or DESK), with axe-core allowed past our
/// Content-Security-Policy (bypassCSP) so that it can be injected.
export async function pageAt(browser, viewport) {
  const context = await browser.newContext({ viewport, bypassCSP: true, locale: 'it-IT' });
  const page = await context.newPage();
  page.on('close', () => context.close().catch(() => {}));
  return page;
}

const axeSource = readFileSync(join(here, '..', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/// Checks the page as a person meets it: nothing wider than the viewport, and axe-core finds no
/// violation (WCAG 2.1 A and AA). Saves a screenshot named `name`. Fails with what is wrong.
export async function inspect(page, name) {
  const width = page.viewportSize().width;
  const over = await page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    const wide = [];
    const scrolls = (e) => {
      for (let p = e.parentElement; p; p = p.parentElement) {
        if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
      }
      return false;
    };
    for (const e of document.querySelectorAll('body *')) {
      const r = e.getBoundingClientRect();
      if (r.width > 0 && r.right > w + 1 && getComputedStyle(e).position !== 'fixed' && !scrolls(e)) {
        // Only the outermost culprit of each branch.
        if (!wide.some((x) => x.contains(e))) wide.push(e);
      }
    }
    return {
      scroll: document.documentElement.scrollWidth,
      culprits: wide.slice(0, 5).map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')} (${Math.round(e.getBoundingClientRect().right)} px)`),
    };
  });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  if (over.scroll > width) {
    throw new Error(`${name}: the page is ${over.scroll} px wide at ${width} px: ${over.culprits.join(', ')}`);
  }
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    rules: { region: { enabled: true } },
  }));
  const violations = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n    ')}`);
  if (violations.length) {
    throw new Error(`${name}: axe-core finds ${violations.length} violation(s):\n  ${violations.join('\n  ')}`);
  }
}
