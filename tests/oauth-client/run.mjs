// Starts the real mockbank binary (MOCKBANK_BIN) on 127.0.0.1:0 with a temporary data dir,
// then runs dcr.test.mjs with Node's test runner, trusting mockbank's CA.
import { join } from 'node:path';
import { runTests, startMockbank } from '../node-common/mockbank.mjs';

const { ready, stop } = await startMockbank();
const code = await runTests(join(import.meta.dirname, 'dcr.test.mjs'), ready);
await stop();
process.exit(code);
