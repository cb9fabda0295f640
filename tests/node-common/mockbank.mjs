// Starts the real mockbank binary for the Node test suites (tests/oauth-client,
// tests/reference-op): `serve` on 127.0.0.1:0 with a temporary data dir, resolved once it
// printed its ready line (the contract's JSON object).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** `{ ready, stop }`; `extraArgs` go after `serve` (e.g. `--profiles DIR`). */
export async function startMockbank(extraArgs = []) {
  const bin = process.env.MOCKBANK_BIN;
  if (!bin) throw new Error('set MOCKBANK_BIN to the mockbank binary');
  const dataDir = mkdtempSync(join(tmpdir(), 'mockbank-node-'));
  const bank = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...extraArgs], {
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
  const stop = async () => {
    bank.kill('SIGTERM');
    await new Promise((resolve) => bank.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { ready, stop };
}

/** Runs `testFile` with Node's test runner, trusting mockbank's CA; resolves to its exit code. */
export async function runTests(testFile, ready) {
  const test = spawn(process.execPath, ['--test', '--test-reporter=spec', testFile], {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: ready.ca_cert, MOCKBANK_READY: JSON.stringify(ready) },
  });
  return new Promise((resolve) => test.once('exit', (code) => resolve(code ?? 1)));
}
