// Starts the real mockbank binary (MOCKBANK_BIN) on 127.0.0.1:0 serving the shipped `generic`
// profile plus one overlay on it per documented strictness parameter (each switched to its
// lenient side), then runs differential.test.mjs, which starts the reference provider itself.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DIFFERENCES, lenientOverlay, variantId } from './differences.mjs';

const bin = process.env.MOCKBANK_BIN;
if (!bin) throw new Error('set MOCKBANK_BIN to the mockbank binary');
const shipped = join(import.meta.dirname, '..', '..', 'profiles');
const work = mkdtempSync(join(tmpdir(), 'mockbank-reference-'));
const profiles = join(work, 'profiles');
mkdirSync(profiles);
copyFileSync(join(shipped, 'generic.toml'), join(profiles, 'generic.toml'));
for (const d of DIFFERENCES) writeFileSync(join(profiles, `${variantId(d)}.toml`), lenientOverlay(d));
const bank = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', join(work, 'data'), '--profiles', profiles], {
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

const test = spawn(process.execPath, ['--test', '--test-reporter=spec', join(import.meta.dirname, 'differential.test.mjs')], {
  stdio: 'inherit',
  env: { ...process.env, NODE_EXTRA_CA_CERTS: ready.ca_cert, MOCKBANK_READY: JSON.stringify(ready) },
});
const code = await new Promise((resolve) => test.once('exit', resolve));
bank.kill('SIGTERM');
await new Promise((resolve) => bank.once('exit', resolve));
rmSync(work, { recursive: true, force: true });
process.exit(code ?? 1);
