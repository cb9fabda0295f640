// From response to trace row on screen, in the desktop app: 20 sequential registrations,
// each timed from when its response ended here to when the window drew its trace row. The
// app must run with MOCKBANK_DESKTOP_PROBE=1: the UI then reports each new row's first
// frame and the app logs it on stderr as `probe: trace row on screen seq=<n> frame_ms=<ms>`
// (both clocks are wall-clock ms: performance.timeOrigin + performance.now()).
//
//   node scripts/desktop-latency.mjs <base_url> <ca_cert> <app stderr file>
//
// Prints the summary and writes it to ui/e2e/screenshots/desktop-latency.txt; exits 1 when
// a registration fails or no new row is reported within 10 s.

import { closeSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [baseUrl, caFile, logFile] = process.argv.slice(2);
if (!logFile) {
  console.error('usage: node scripts/desktop-latency.mjs <base_url> <ca_cert> <app stderr file>');
  process.exit(2);
}
const RUNS = 20;
const WAIT_MS = 10_000;
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'ui', 'e2e', 'screenshots', 'desktop-latency.txt');
const ca = readFileSync(caFile);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const PROBE = /seq=(\d+) frame_ms=([0-9.]+)/;

/** The probe lines the app has appended to its stderr since the last call. */
function reader(path) {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(64 * 1024);
  let rest = '';
  return {
    read() {
      let n;
      while ((n = readSync(fd, buf, 0, buf.length, null)) > 0) rest += buf.toString('utf8', 0, n);
      const lines = rest.split('\n');
      rest = lines.pop();
      return lines
        .map((l) => PROBE.exec(l.replace(/\x1b\[[0-9;]*m/g, '')))
        .filter(Boolean)
        .map((m) => ({ seq: Number(m[1]), frameMs: Number(m[2]) }));
    },
    close: () => closeSync(fd),
  };
}

/** One registration on a fresh connection; resolves when the response has ended. */
function register() {
  const body = JSON.stringify({ redirect_uris: ['https://tpp.example/cb'], client_name: 'latency' });
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL('/generic/register', baseUrl),
      { method: 'POST', headers: { 'content-type': 'application/json' }, ca, agent: false },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ at: now(), status: res.statusCode, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const percentile = (sorted, p) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];

const log = reader(logFile);
// Rows already on screen (the smoke test's first registration) are not ours.
let lastSeq = Math.max(0, ...log.read().map((p) => p.seq));
const pending = [];
const latencies = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const r = await register();
    if (r.status !== 201) throw new Error(`registration ${i + 1} answered ${r.status}: ${r.text}`);
    const deadline = Date.now() + WAIT_MS;
    let probe;
    for (;;) {
      pending.push(...log.read());
      // Paired in order: the next row reported after the ones already counted.
      while (pending.length && pending[0].seq <= lastSeq) pending.shift();
      if ((probe = pending.shift())) break;
      if (Date.now() > deadline) throw new Error(`no probe line for registration ${i + 1} within ${WAIT_MS / 1000} s`);
      await sleep(2);
    }
    lastSeq = probe.seq;
    latencies.push(probe.frameMs - r.at);
  }
} catch (e) {
  console.error(`desktop: latency: ${e.message}`);
  process.exit(1);
} finally {
  log.close();
}

const sorted = [...latencies].sort((a, b) => a - b);
const ms = (v) => `${v.toFixed(1)} ms`;
const summary =
  `desktop: response → trace row on screen, ${RUNS} registrations: ` +
  `p50 ${ms(percentile(sorted, 50))}, p99 ${ms(percentile(sorted, 99))}, ` +
  `min ${ms(sorted[0])}, max ${ms(sorted[sorted.length - 1])}`;
console.log(summary);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${summary}\n`);
