// Measurement, not a test: frame time of the job page holding 10,000 metric points while rows keep streaming, and the
// initial JS gzipped. Serves the built dist/ and a stand-in for the four /v1 calls the job page makes (a job row, an
// events stream with slice moves, a metrics SSE stream: 10,000 rows at once, then 50 rows/s), so the browser side is
// measured alone. Usage (after `npm run build`): node e2e/perf.mjs
import { createServer } from 'node:http';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { extname, join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { chromium } from 'playwright-core';

const DIST = join(dirname(fileURLToPath(import.meta.url)), '../dist');
const JOB = '11111111-2222-3333-4444-555555555555';
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

const index = readFileSync(join(DIST, 'index.html'), 'utf8');
const initial = [...index.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
for (const f of initial) console.log(`initial ${f}: ${readFileSync(join(DIST, f)).length} B, gzip ${gzipSync(readFileSync(join(DIST, f)), { level: 9 }).length} B`);

const row = (i) => JSON.stringify({ id: i, step: i, epoch: 0, split: 'train', loss: 2 * Math.exp(-i / 3000) + 0.05 * Math.random(),
  learning_rate: 5e-3 * (1 - i / 20000), tokens_per_second: 900 + 50 * Math.random(), eval_metrics: null, attempt: 1, created_at: new Date().toISOString() });
const job = { id: JOB, name: 'perf', model_id: JOB, dataset_id: JOB, eval_dataset_id: null, status: 'running', cancel_requested: false,
  priority: 0, attempt: 1, config: { method: 'slicefine', task: 'text-classification' }, progress: { step: 10000, total_steps: 20000 },
  eta_seconds: 100, latest_metrics: null, error: null, created_at: new Date().toISOString(), started_at: new Date().toISOString(), finished_at: null };
const layers = Array.from({ length: 12 }, (_, l) => `bert.encoder.layer.${l >> 1}.attention.self.${l % 2 ? 'value' : 'query'}.weight`);
const move = (k) => JSON.stringify({ seq: k + 1, type: 'slice_moved', data: { move: k, step: k * 50, rank: 4,
  layers: layers.map((layer) => ({ layer, mode: 'column', from: (k * 4) % 768, to: ((k + 1) * 4) % 768, rank: 4, dim: 768, delta_norm: Math.random() })) },
  created_at: new Date().toISOString() });

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === `/v1/jobs/${JOB}`) return res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(job));
  if (url.pathname === `/v1/jobs/${JOB}/events`) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    for (let k = 0; k < 200; k++) res.write(`id: ${k + 1}\nevent: slice_moved\ndata: ${move(k)}\n\n`);
    return;
  }
  if (url.pathname === `/v1/jobs/${JOB}/metrics`) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    let i = 1;
    let chunk = '';
    for (; i <= 10000; i++) chunk += `id: ${i}\nevent: metric\ndata: ${row(i)}\n\n`;
    res.write(chunk);
    const t = setInterval(() => res.write(`id: ${i}\nevent: metric\ndata: ${row(i++)}\n\n`), 20);
    req.on('close', () => clearInterval(t));
    return;
  }
  if (url.pathname.startsWith('/v1/')) return res.writeHead(200, { 'Content-Type': 'application/json' }).end('[]');
  const file = join(DIST, url.pathname);
  if (url.pathname.startsWith('/assets/') && existsSync(file)) return res.writeHead(200, { 'Content-Type': TYPES[extname(file)] }).end(readFileSync(file));
  res.writeHead(200, { 'Content-Type': 'text/html' }).end(index);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;
const profile = mkdtempSync(join(tmpdir(), 'perf-chromium-'));
const ctx = await chromium.launchPersistentContext(profile, { executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: FLAGS, viewport: { width: 1280, height: 900 } });
const page = ctx.pages()[0] ?? (await ctx.newPage());
await page.goto(`${base}/`);
await page.evaluate(() => sessionStorage.setItem('slicefine.api_key', 'sk-perf'));
const t0 = Date.now();
await page.goto(`${base}/jobs/${JOB}`);
await page.waitForFunction(() => Number(document.querySelector('[data-testid="loss-chart"]')?.getAttribute('data-points')) >= 10000, null, { timeout: 60000 });
console.log(`10,000 points on the chart after ${Date.now() - t0} ms`);
const frames = await page.evaluate(() => new Promise((resolve) => {
  const times = [];
  let last = performance.now();
  const end = last + 5000;
  const tick = (t) => { times.push(t - last); last = t; if (t < end) requestAnimationFrame(tick); else resolve(times); };
  requestAnimationFrame(tick);
}));
const pts = await page.getByTestId('loss-chart').getAttribute('data-points');
frames.sort((a, b) => a - b);
const q = (p) => frames[Math.min(frames.length - 1, Math.floor(p * frames.length))].toFixed(1);
console.log(`frame time over 5 s while streaming 50 rows/s (${pts} points at the end): ${frames.length} frames, p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, p99 ${q(0.99)} ms, max ${frames[frames.length - 1].toFixed(1)} ms`);
await ctx.close();
rmSync(profile, { recursive: true, force: true });
server.close();
