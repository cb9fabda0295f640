// Starts the real mockbank binary (MOCKBANK_BIN) on 127.0.0.1:0 serving the shipped `generic`
// profile plus one overlay on it per documented strictness parameter (each switched to its
// lenient side), then runs differential.test.mjs, which starts the reference provider itself.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests, startMockbank } from '../node-common/mockbank.mjs';
import { DIFFERENCES, lenientOverlay, variantId } from './differences.mjs';

const shipped = join(import.meta.dirname, '..', '..', 'profiles');
const profiles = mkdtempSync(join(tmpdir(), 'mockbank-reference-profiles-'));
copyFileSync(join(shipped, 'generic.toml'), join(profiles, 'generic.toml'));
for (const d of DIFFERENCES) writeFileSync(join(profiles, `${variantId(d)}.toml`), lenientOverlay(d));
const { ready, stop } = await startMockbank(['--profiles', profiles]);
const code = await runTests(join(import.meta.dirname, 'differential.test.mjs'), ready);
await stop();
rmSync(profiles, { recursive: true, force: true });
process.exit(code);
