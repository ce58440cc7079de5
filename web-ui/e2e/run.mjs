// End-to-end test of the dashboard in real headless Chromium (Debian's /usr/bin/chromium via playwright-core; nothing
// downloads a browser) against `./slicefine serve` on a temporary port and data dir:
// sign in, upload bert-tiny and a small dataset, launch a SliceFine run, watch the loss chart and the slice map update,
// reload mid-run and see the same live state, download the diff and check its sha256 against the API's, see the
// estimate before submitting (equal to the run's trainable parameters), evaluate the result from the job page (confusion
// matrix) and try it (a label with its probabilities), launch and cancel another run; no console errors. Measures first load and time to first chart.
// Usage: node e2e/run.mjs   (SHOTS_DIR=/some/dir to keep screenshots; CHROMIUM=/path to override the browser)
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, mkdirSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const FIXTURES = join(ROOT, 'engine/src/test/resources/fixtures');
const KEY = 'sk-e2e-admin-0123456789abcdefghij';
const SHOTS = process.env.SHOTS_DIR || null;
// run A: long enough to reload mid-run on an idle 2-core machine (bert-tiny runs 10+ steps/s there: 40 steps were
// over before the reload) and short enough on a loaded one (~1 step/s)
const STEPS = 150;
const BROWSER = process.env.CHROMIUM || '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

const log = (...a) => console.log('[e2e]', ...a);
function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  log('ok:', what);
}
const freePort = () => new Promise((res) => { const s = createServer().listen(0, () => { const p = s.address().port; s.close(() => res(p)); }); });
const sha256 = (b) => createHash('sha256').update(b).digest('hex');

async function waitFor(what, probe, ms) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try { last = await probe(); if (last) return last; } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

const data = mkdtempSync(join(tmpdir(), 'slicefine-e2e-'));
const profile = mkdtempSync(join(tmpdir(), 'slicefine-e2e-chromium-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = spawn(join(ROOT, 'slicefine'), ['serve', '--port', String(port), '--data', data, `--slicefine.admin-key=${KEY}`],
  { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
let serverLog = '';
server.stdout.on('data', (d) => (serverLog += d));
server.stderr.on('data', (d) => (serverLog += d));
const api = async (path, init = {}) => {
  const r = await fetch(base + path, { ...init, headers: { Authorization: `Bearer ${KEY}`, ...(init.headers ?? {}) } });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json();
};

let context;
let failed = false;
const consoleErrors = [];
try {
  await waitFor('the server', async () => (await fetch(`${base}/actuator/health`)).ok, 600_000);
  log('server up on', base);
  context = await chromium.launchPersistentContext(profile, { executablePath: BROWSER, headless: true, args: FLAGS,
    viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(String(e)));

  // Sign in (the key lives in sessionStorage only).
  await page.goto(`${base}/`);
  await page.getByLabel('API key').fill(KEY);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Jobs' }).waitFor();
  check(page.url().endsWith('/jobs'), 'signed in, on /jobs');

  // Upload bert-tiny (config, weights, a WordPiece tokenizer.json) through the model form.
  await page.getByRole('link', { name: 'Models' }).click();
  await page.getByTestId('model-files').setInputFiles([
    { name: 'config.json', mimeType: 'application/json', buffer: readFileSync(join(FIXTURES, 'bert-tiny/config.json')) },
    { name: 'model.safetensors', mimeType: 'application/octet-stream', buffer: readFileSync(join(FIXTURES, 'bert-tiny/model.safetensors')) },
    { name: 'tokenizer.json', mimeType: 'application/json', buffer: readFileSync(join(FIXTURES, 'tokenizers/wordpiece.json')) },
  ]);
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('bert-tiny');
  await page.getByRole('button', { name: 'Upload model' }).click();
  await page.getByTestId('model-row').filter({ hasText: 'ready' }).waitFor({ timeout: 120_000 });
  check(true, 'model uploaded and validated ready');

  // A small labelled JSONL through the resumable dataset upload.
  const words = ['good fun happy', 'bad sad awful', 'plain neutral okay'];
  const jsonl = Array.from({ length: 48 }, (_, i) => JSON.stringify({ text: `${words[i % 3]} number ${i}`, label: `l${i % 3}` })).join('\n') + '\n';
  await page.getByRole('link', { name: 'Datasets' }).click();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('tiny-sentiment');
  await page.getByTestId('dataset-file').setInputFiles({ name: 'train.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(jsonl) });
  await page.getByRole('button', { name: 'Upload dataset' }).click();
  await page.getByTestId('dataset-row').filter({ hasText: 'ready' }).waitFor({ timeout: 120_000 });
  await page.getByTestId('dataset-report').filter({ hasText: 'Label distribution' }).waitFor();
  check((await page.getByTestId('dataset-report').textContent()).includes('48 valid'), 'dataset report: 48 valid rows, label distribution');

  async function selectByText(testId, text) {
    const select = page.getByTestId(testId);
    await select.locator('option', { hasText: text }).first().waitFor({ state: 'attached' });
    await select.selectOption(await select.locator('option', { hasText: text }).first().getAttribute('value'));
  }

  async function launch(name, steps) {
    await page.getByRole('link', { name: 'Launch' }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
    await selectByText('launch-model', 'bert-tiny');
    await selectByText('launch-dataset', 'tiny-sentiment');
    await page.getByTestId('launch-method').selectOption('slicefine');
    for (const [f, v] of Object.entries({ 'slicefine.rank': '2', 'slicefine.move_steps': '2', 'train.batch_size': '8',
      'train.max_seq_len': '32', 'train.log_every': '1', 'train.max_steps': String(steps) })) {
      await page.locator(`input[name="${f}"]`).fill(v);
    }
    // The engine's estimate of this very body appears before submitting (debounced).
    await waitFor('the estimate of the filled form', async () => {
      const t = await page.getByTestId('estimate-trainable').textContent({ timeout: 1000 });
      return (await page.getByTestId('estimate').getAttribute('aria-busy')) === 'false' && t;
    }, 60_000);
    const estimate = await page.getByTestId('estimate').textContent();
    if (SHOTS && steps === STEPS) await page.screenshot({ path: join(SHOTS, 'launch-estimate.png'), fullPage: true });
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    return [page.url().split('/').pop(), estimate];
  }
  const firstNumber = (s) => Number(/[\d,]+/.exec(s)[0].replaceAll(',', ''));

  // A bad value first: the server's 422 field error appears next to its field.
  await page.getByRole('link', { name: 'Launch' }).click();
  await selectByText('launch-model', 'bert-tiny');
  await selectByText('launch-dataset', 'tiny-sentiment');
  await page.locator('input[name="train.batch_size"]').fill('0');
  const fieldError = page.locator('#err-train\\.batch_size');
  await fieldError.waitFor(); // from the estimate, before any submit
  check(!!(await fieldError.textContent()), `422 field error shown next to train.batch_size before submit: "${await fieldError.textContent()}"`);
  await page.getByRole('button', { name: 'Start run' }).click();
  await page.getByRole('alert').filter({ hasText: 'invalid_job' }).waitFor();
  check(await fieldError.isVisible(), 'and again after submitting');
  await page.locator('input[name="train.batch_size"]').fill('');
  await waitFor('a valid estimate again', async () => (await page.getByTestId('estimate').getAttribute('aria-busy', { timeout: 1000 })) === 'false', 60_000);
  check(!(await fieldError.isVisible()), 'the field error goes once the value is fixed');
  consoleErrors.length = 0; // the browser logs the 422 responses itself; those are expected

  // Run A: watch it live.
  const [a, estimateA] = await launch('e2e-watch', STEPS);
  check(/Trainable parameters[\d,]+ \(/.test(estimateA) && new RegExp(`Steps${STEPS}`).test(estimateA), `launch page showed the estimate: ${estimateA.slice(0, 120)}`);
  const points = async () => Number(await page.getByTestId('loss-chart').getAttribute('data-points'));
  const moves = async () => Number((await page.getByTestId('slice-map').getAttribute('data-moves').catch(() => '0')) ?? 0);
  await waitFor('loss points and slice moves', async () => (await points()) >= 5 && (await moves()) >= 2, 240_000);
  const p1 = await points();
  const m1 = await moves();
  await waitFor('the chart to grow', async () => (await points()) > p1 && (await moves()) > m1, 60_000);
  check(true, `loss chart and slice map update live (${p1} -> ${await points()} points, ${m1} -> ${await moves()} moves)`);
  const strips = await page.locator('.slice-map .strip').count();
  check(strips > 0, `slice map shows ${strips} target layer strips`);
  if (SHOTS) await page.screenshot({ path: join(SHOTS, 'job-running.png'), fullPage: true });

  // Reload mid-run: the same view comes back from the server (the page holds no state of its own).
  const beforeStatus = await page.getByTestId('job-page').getAttribute('data-status');
  const beforePoints = await points();
  const beforeMoves = await moves();
  await page.reload();
  await page.getByTestId('loss-chart').waitFor();
  await waitFor('the replayed state', async () => (await points()) >= beforePoints && (await moves()) >= beforeMoves, 60_000);
  check(beforeStatus === 'running', `reloaded while ${beforeStatus}: chart ${beforePoints} -> ${await points()} points, slice map ${beforeMoves} -> ${await moves()} moves`);
  await waitFor('the live stream after reload', async () => (await points()) > beforePoints + 2 || (await page.getByTestId('job-page').getAttribute('data-status')) === 'succeeded', 120_000);

  await page.locator('[data-testid="job-page"][data-status="succeeded"]').waitFor({ timeout: 600_000 });
  const job = await api(`/v1/jobs/${a}`);
  const finalPoints = await waitFor('all train rows', async () => ((await points()) >= STEPS ? points() : 0), 30_000);
  check(job.progress.step === STEPS && finalPoints === STEPS, `run succeeded; chart has all ${finalPoints} train rows`);
  if (SHOTS) await page.screenshot({ path: join(SHOTS, 'job-succeeded.png'), fullPage: true });
  const device = (await page.getByTestId('job-device').textContent()).trim();
  check(job.device === 'cpu' && device.startsWith('cpu · ') && device.includes(job.worker), `job page shows where it ran: ${device}`);

  // Download the diff through the page and compare its bytes with the API's sha256.
  const artifacts = await api(`/v1/jobs/${a}/artifacts`);
  const diff = artifacts.find((x) => x.kind === 'diff');
  await page.getByTestId('download-diff').filter({ hasText: 'Download diff' }).waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download diff' }).click()]);
  const file = join(data, 'downloaded-diff');
  await download.saveAs(file);
  const bytes = readFileSync(file);
  check(bytes.length === diff.size && sha256(bytes) === diff.sha256, `downloaded diff ${download.suggestedFilename()} (${bytes.length} bytes) has the API's sha256 ${diff.sha256.slice(0, 12)}…`);

  // The estimate was the run's own count (started event, shown on the job page).
  const trainable = await page.getByTestId('trainable').textContent();
  check(firstNumber(trainable) === firstNumber(estimateA.replace('Trainable parameters', '')),
    `estimated trainable parameters = the run's (${trainable})`);

  // Evaluate the result from the job page and see the confusion matrix.
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await page.locator('[data-testid="evaluation-current"][data-status="succeeded"]').waitFor({ timeout: 300_000 });
  const matrix = page.getByTestId('confusion-matrix');
  await matrix.waitFor();
  const cells = (await matrix.locator('tbody td').allTextContents()).map(Number);
  check((await matrix.locator('tbody tr').count()) === 3 && cells.reduce((x, y) => x + y, 0) === 48,
    `confusion matrix 3 x 3 over the 48 examples: ${cells.join(' ')}; ${(await page.getByTestId('evaluation-metrics').textContent()).slice(0, 60)}`);
  await page.evaluate(() => window.scrollTo(0, 0));
  // Try it: one text, its label with every label's probability.
  await page.getByTestId('try-input').fill('good fun happy number 3');
  await page.getByRole('button', { name: 'Classify' }).click();
  const label = await (await page.getByTestId('try-label')).textContent({ timeout: 120_000 });
  check(['l0', 'l1', 'l2'].includes(label) && (await page.getByTestId('try-result').getByRole('meter').count()) === 3,
    `try-it box classified the text as ${label} with 3 probability bars`);
  if (SHOTS) await page.screenshot({ path: join(SHOTS, 'job-evaluation-try-it.png'), fullPage: true });

  // Run B: cancel it from its page while it runs.
  const [b] = await launch('e2e-cancel', 100000);
  await waitFor('run B running', async () => (await api(`/v1/jobs/${b}`)).progress.step > 0, 240_000);
  await page.getByRole('button', { name: 'Cancel run' }).click();
  await page.locator('[data-testid="job-page"][data-status="cancelled"]').waitFor({ timeout: 120_000 });
  check((await api(`/v1/jobs/${b}`)).status === 'cancelled', 'run B cancelled from the page');

  // The jobs list deep link with a filter survives a reload.
  await page.goto(`${base}/jobs?status=cancelled`);
  await page.getByTestId('job-row').first().waitFor();
  check((await page.getByTestId('job-row').count()) === 1 && (await page.locator('select').first().inputValue()) === 'cancelled', 'filtered deep link /jobs?status=cancelled');

  // Phone width: the job page still lays out (no horizontal overflow of the page itself).
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${base}/jobs/${a}`);
  await page.getByTestId('loss-chart').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (SHOTS) await page.screenshot({ path: join(SHOTS, 'job-phone.png'), fullPage: true });
  check(overflow <= 1, `phone width 390 px: no horizontal overflow (${overflow}px)`);
  await page.setViewportSize({ width: 1280, height: 900 });

  // Keyboard: Tab reaches the skip link first, then the navigation, with a visible focus ring.
  await page.keyboard.press('Tab');
  check((await page.evaluate(() => document.activeElement?.textContent)) === 'Skip to content', 'first Tab focuses "Skip to content"');
  const ring = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  check(ring !== 'none', `visible focus ring (${ring})`);

  // Measurements: first load and time to first chart on localhost (a fresh page, warm server).
  // A new tab has its own (empty) sessionStorage: the key is put there before the page's scripts run, and the HTTP
  // cache is cleared so the assets load cold.
  const fresh = await context.newPage();
  fresh.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  await fresh.addInitScript((k) => sessionStorage.setItem('slicefine.api_key', k), KEY);
  await (await context.newCDPSession(fresh)).send('Network.clearBrowserCache');
  const t0 = Date.now();
  await fresh.goto(`${base}/jobs/${a}`);
  await fresh.waitForFunction(() => Number(document.querySelector('[data-testid="loss-chart"]')?.getAttribute('data-points')) > 0);
  const firstChart = Date.now() - t0;
  const nav = await fresh.evaluate(() => { const n = performance.getEntriesByType('navigation')[0]; return { dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd }; });
  log(`measure: first load DOMContentLoaded ${nav.dcl.toFixed(0)} ms, load ${nav.load.toFixed(0)} ms; time to first chart (${STEPS} points) ${firstChart} ms`);

  check(consoleErrors.length === 0, `no console errors${consoleErrors.length ? ': ' + consoleErrors.join(' | ') : ''}`);
  log('PASSED');
} catch (e) {
  failed = true;
  console.error('[e2e] FAILED:', e);
  if (SHOTS && context) await context.pages()[0]?.screenshot({ path: join(SHOTS, 'failure.png'), fullPage: true }).catch(() => {});
  console.error('[e2e] server log tail:\n' + serverLog.slice(-4000));
} finally {
  await context?.close().catch(() => {});
  try { process.kill(-server.pid, 'SIGTERM'); } catch { /* gone */ }
  await new Promise((r) => setTimeout(r, 3000));
  rmSync(data, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
