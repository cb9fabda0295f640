// Starts the real mockbank binary (MOCKBANK_BIN) on 127.0.0.1:0 with a temporary data dir,
// then runs dcr.test.mjs with Node's test runner, trusting mockbank's CA.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const bin = process.env.MOCKBANK_BIN;
if (!bin) throw new Error('set MOCKBANK_BIN to the mockbank binary');
const dataDir = mkdtempSync(join(tmpdir(), 'mockbank-oauth-'));
const bank = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, RUST_LOG: 'warn' },
});
const ready = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('no ready line within 30 s')), 30_000);
  createInterface({ input: bank.stdout }).once('line', (line) => {
    clearTimeout(timer);
    resolve(JSON.parse(line));
  });
  bank.once('exit', (code) => reject(new Error(`mockbank exited with ${code}`)));
});

const test = spawn(process.execPath, ['--test', join(import.meta.dirname, 'dcr.test.mjs')], {
  stdio: 'inherit',
  env: {
    ...process.env,
    NODE_EXTRA_CA_CERTS: ready.ca_cert,
    MOCKBANK_READY: JSON.stringify(ready),
  },
});
const code = await new Promise((resolve) => test.once('exit', resolve));
bank.kill('SIGTERM');
await new Promise((resolve) => bank.once('exit', resolve));
rmSync(dataDir, { recursive: true, force: true });
process.exit(code ?? 1);
