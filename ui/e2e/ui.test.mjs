// The browser UI in a real browser: Debian's Chromium driven by playwright-core, against the
// real `mockbank` binary on 127.0.0.1:0 (harness.mjs). One server and one signed-in page
// carry through the tests in order, the way a user would go: sign in with the ready line's
// link, see the first-run state, register clients from a terminal (here: node's https),
// watch the traces arrive, open the failing one.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';

import {
  CHROMIUM,
  CHROMIUM_ARGS,
  FRAGMENT,
  VALID,
  now,
  percentile,
  register,
  registerObuk,
  request,
  serveUiDist,
  shots,
  startBank,
} from './harness.mjs';

describe('browser UI', () => {
  let bank;
  let browser;
  /** The signed-in context and page the scenario runs in. */
  let context;
  let page;
  /** The client the scenario registered. */
  let clientId;

  const newContext = async () => {
    const ctx = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1440, height: 900 },
      acceptDownloads: true,
    });
    await serveUiDist(ctx, bank.base);
    return ctx;
  };
  const rows = () => page.locator('.trow[data-seq]');

  before(async () => {
    mkdirSync(shots, { recursive: true });
    bank = await startBank();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    if (bank) {
      const exited = new Promise((resolve) => bank.child.once('exit', resolve));
      bank.child.kill('SIGTERM');
      assert.equal(await exited, 0, 'mockbank exits 0 on SIGTERM');
      rmSync(bank.dataDir, { recursive: true, force: true });
    }
  });

  test('without the session cookie the admin API answers 401 and the UI asks to sign in', async () => {
    assert.equal((await request(bank, 'GET', '/admin/traces')).status, 401);
    assert.equal((await request(bank, 'GET', '/admin/traces/stream')).status, 401);
    const ctx = await newContext();
    const p = await ctx.newPage();
    await p.goto(`${bank.base}/ui/`);
    await p.getByTestId('signin').waitFor();
    const statuses = await p.evaluate(async () =>
      Promise.all(
        ['/admin/traces', '/admin/traces/stream', '/admin/profiles', '/admin/clients'].map(
          async (path) => (await fetch(path, { credentials: 'same-origin' })).status,
        ),
      ),
    );
    assert.deepEqual(statuses, [401, 401, 401, 401]);
    await ctx.close();
  });

  test('the one-time link from the ready line signs in and shows the first-run state', async () => {
    const { ui_url: uiUrl } = bank.ready;
    assert.ok(uiUrl.startsWith(`${bank.base}/ui/?login=`), uiUrl);
    context = await newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: bank.base });
    page = await context.newPage();
    await page.goto(uiUrl);
    await page.getByTestId('first-run').waitFor();
    assert.equal(new URL(page.url()).search, '', 'the code is gone from the address bar');

    const cookie = (await context.cookies()).find((c) => c.name === 'mockbank_admin');
    assert.ok(cookie, 'session cookie set');
    assert.equal(cookie.value, bank.token);
    assert.deepEqual([cookie.httpOnly, cookie.secure, cookie.sameSite, cookie.path], [true, true, 'Strict', '/']);

    assert.equal(await page.getByTestId('base-url').textContent(), bank.base);
    assert.match(await page.getByTestId('first-run').innerText(), /\/directory\/ca\.pem/);
    // Each card shows the server's first-run command as it is (`first_run` of the bootstrap):
    // curl for the open generic profile, the reference TPP where credentials are needed.
    const boot = await page.evaluate(() => JSON.parse(document.getElementById('mockbank-bootstrap').textContent));
    const command = (id) => page.locator(`.fr-profile[data-profile="${id}"]`).getByTestId('first-run-command').textContent();
    for (const p of bank.ready.profiles) {
      const { first_run: firstRun } = boot.profiles.find((b) => b.id === p.id);
      assert.ok(firstRun?.command, `the bootstrap has a first-run command for ${p.id}`);
      assert.equal(await command(p.id), firstRun.command, `the command for ${p.id}, verbatim`);
      const note = page.locator(`.fr-profile[data-profile="${p.id}"]`).getByTestId('first-run-note');
      assert.equal(await note.textContent(), firstRun.note);
    }
    const generic = bank.ready.profiles.find((p) => p.id === 'generic');
    assert.match(await command('generic'), /^curl --cacert \S+/);
    assert.ok((await command('generic')).includes(`${generic.issuer}/register`));
    for (const id of ['obuk-v3.2', 'stet']) {
      assert.ok((await command(id)).includes(`tpp register --profile ${id}`), `the reference TPP for ${id}`);
    }
    const obuk = page.locator('.fr-profile[data-profile="obuk-v3.2"]');
    await obuk.locator('.cmd').first().getByRole('button', { name: 'Copy' }).click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await command('obuk-v3.2'), 'copies it exactly');
    await page.locator('[data-testid="live"][data-status="live"]').waitFor();
    await page.screenshot({ path: join(shots, 'first-run.png') });

    // The link works once.
    const other = await newContext();
    const p2 = await other.newPage();
    await p2.goto(uiUrl);
    await p2.getByTestId('signin').waitFor();
    assert.match(await p2.getByRole('alert').textContent(), /already used/);
    assert.equal((await other.cookies()).length, 0);
    await other.close();
  });

  test('registrations appear live, and the failing check is highlighted in the trace', async () => {
    await page.evaluate(() => {
      window.__sameDocument = true;
    });
    const bad = await register(bank, 'generic', FRAGMENT);
    assert.equal(bad.status, 400, bad.text);
    assert.equal(JSON.parse(bad.text).error, 'invalid_redirect_uri');
    const good = await register(bank, 'generic', VALID);
    assert.equal(good.status, 201, good.text);
    clientId = JSON.parse(good.text).client_id;

    await rows().nth(1).waitFor();
    assert.equal(await rows().count(), 2);
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no reload');
    const failing = page.locator('.trow.is-fail');
    assert.equal(await failing.count(), 1);
    assert.match(await failing.innerText(), /generic\.redirect\.no_fragment/);
    assert.match(await failing.innerText(), /400/);

    await failing.click();
    const decided = page.locator('tr[data-check-id="generic.redirect.no_fragment"]');
    await decided.waitFor();
    assert.match(await decided.getAttribute('class'), /\bis-failed-check\b/);
    assert.equal(await decided.getAttribute('data-outcome'), 'fail');
    assert.match(await decided.innerText(), /decided the response/i);
    assert.equal(await page.locator('tr.is-failed-check').count(), 1, 'one check is highlighted');
    // Every other check that ran is listed beside it.
    assert.ok((await page.locator('.pane-checks tr[data-check-id]').count()) > 10);
    const exchange = await page.locator('.pane-exchange').innerText();
    assert.match(exchange, /https:\/\/tpp\.example\/cb#x/);
    assert.match(exchange, /invalid_redirect_uri/);
    await page.screenshot({ path: join(shots, 'traces.png') });
  });

  test('copy as curl replays the request; export downloads the trace as JSON and HAR', async () => {
    await page.getByRole('button', { name: 'Copy as curl' }).click();
    const curl = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(curl, /^curl --cacert ca\.pem/);
    assert.ok(curl.includes(`${bank.base}/generic/register`), curl);
    // The data dir holds ca.pem, so the command runs as pasted.
    const out = execFileSync('sh', ['-c', `${curl} -sS -w '\\n%{http_code}'`], { cwd: bank.dataDir, encoding: 'utf8' });
    const [body, code] = [out.slice(0, out.lastIndexOf('\n')), out.slice(out.lastIndexOf('\n') + 1)];
    assert.equal(code, '400');
    assert.equal(JSON.parse(body).error, 'invalid_redirect_uri');

    const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-trace-json').click()]);
    const trace = JSON.parse(readFileSync(await json.path(), 'utf8'));
    assert.equal(trace.failed_check, 'generic.redirect.no_fragment');
    assert.equal(trace.status, 400);

    const [har] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'HAR' }).click()]);
    const log = JSON.parse(readFileSync(await har.path(), 'utf8')).log;
    assert.equal(log.version, '1.2');
    assert.equal(log.entries.length, 1);
    assert.equal(log.entries[0].request.url, `${bank.base}/generic/register`);
    assert.equal(log.entries[0].response.status, 400);
    assert.equal(log.entries[0]._mockbank.failed_check, 'generic.redirect.no_fragment');
  });

  test('several traces export together, and filters narrow the list', async () => {
    await page.keyboard.press('Escape');
    // The two registrations and the replayed curl.
    const count = (n) => page.waitForFunction((n) => document.querySelectorAll('.trow[data-seq]').length === n, n);
    await count(3);
    for (const box of await page.locator('.trow[data-seq] input[type=checkbox]').all()) await box.check();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    const list = JSON.parse(readFileSync(await download.path(), 'utf8'));
    assert.deepEqual(list.map((t) => t.status).sort(), [201, 400, 400]);

    await page.getByRole('group', { name: 'Outcome' }).getByRole('button', { name: 'Failed' }).click();
    await count(2);
    for (const text of await rows().allInnerTexts()) assert.match(text, /generic\.redirect\.no_fragment/);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await count(3);
    await page.getByLabel('Client id').fill(clientId);
    await count(1);
    assert.match(await rows().first().innerText(), /201/);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await count(3);
    await page.getByLabel('Search traces').fill('cb#x');
    await count(2);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await count(3);
  });

  test('profiles and clients views show what the admin API has', async () => {
    await page.getByRole('link', { name: 'Profiles', exact: true }).click();
    const generic = page.locator('.profile[data-profile="generic"]');
    await generic.waitFor();
    const text = await generic.innerText();
    assert.ok(text.includes(`${bank.base}/generic`), 'issuer');
    assert.match(text, /generic\.redirect\.no_fragment/);
    assert.match(text, /registration_endpoint/);
    // Each parameter shows its documentation from the catalogue, and the accepted values.
    const docs = (id) => generic.locator(`tr[data-check-id="${id}"] dd.param-doc`).allInnerTexts();
    assert.ok((await docs('generic.redirect.scheme')).some((d) => d.includes('RFC 6749 §3.1.2.1')), 'allow_http is documented');
    assert.ok(
      (await docs('generic.grant_response.consistent')).some((d) => d.includes('one of: reject | repair')),
      'the values `inconsistent` takes',
    );
    await page.screenshot({ path: join(shots, 'profiles.png') });

    await page.getByRole('link', { name: 'Clients', exact: true }).click();
    await page.locator('table.clients').waitFor();
    const clients = await page.locator('table.clients').innerText();
    const registered = await request(bank, 'GET', '/admin/clients', { headers: { authorization: `Bearer ${bank.token}` } });
    const ids = JSON.parse(registered.text).map((c) => c.client_id);
    assert.equal(ids.length, 1);
    assert.ok(clients.includes(ids[0]), 'the registered client is listed');
    await page.screenshot({ path: join(shots, 'clients.png') });
  });

  test('from response to row on screen: latency over 20 registrations', async (t) => {
    await page.getByRole('link', { name: 'Traces', exact: true }).click();
    await rows().first().waitFor();
    // Record when each row is added to the DOM and when the next frame is drawn.
    await page.evaluate(() => {
      window.__seen = {};
      new MutationObserver((mutations) => {
        const dom = performance.timeOrigin + performance.now();
        for (const m of mutations) {
          for (const n of m.addedNodes) {
            if (!(n instanceof Element)) continue;
            const found = n.matches('.trow[data-seq]') ? [n] : [...n.querySelectorAll('.trow[data-seq]')];
            for (const row of found) {
              const seq = row.getAttribute('data-seq');
              if (window.__seen[seq]) continue;
              const entry = (window.__seen[seq] = { dom, frame: null });
              requestAnimationFrame(() => {
                entry.frame = performance.timeOrigin + performance.now();
              });
            }
          }
        }
      }).observe(document.body, { childList: true, subtree: true });
    });
    let known = await rows().evaluateAll((rs) => rs.map((r) => r.getAttribute('data-seq')));
    const latencies = [];
    for (let i = 0; i < 20; i++) {
      const profile = i % 2 ? 'generic' : 'generic-rotating';
      const r = await register(bank, profile, i % 3 ? VALID : FRAGMENT);
      assert.ok(r.status === 201 || r.status === 400, r.text);
      const handle = await page.waitForFunction(
        (known) => {
          const seq = Object.keys(window.__seen).find((s) => !known.includes(s) && window.__seen[s].frame !== null);
          return seq ? { seq, ...window.__seen[seq] } : false;
        },
        known,
        { timeout: 10_000 },
      );
      const seen = await handle.jsonValue();
      known = [...known, seen.seq];
      latencies.push(seen.frame - r.at);
    }
    assert.equal(await rows().count(), 23);
    await page.screenshot({ path: join(shots, 'traces-list.png'), animations: 'disabled' });
    const sorted = [...latencies].sort((a, b) => a - b);
    const summary =
      `response → trace row on screen, ${sorted.length} registrations: ` +
      `p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, ` +
      `min ${sorted[0].toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms`;
    t.diagnostic(summary);
    console.error(summary);
    writeFileSync(join(shots, 'latency.txt'), `${summary}\n`);
  });

  // From here on the trace list's counts are not asserted: the directory's requests are
  // traced too.
  const admin = (method, path, body) =>
    request(bank, method, path, {
      headers: {
        authorization: `Bearer ${bank.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then((r) => ({ ...r, json: r.text ? JSON.parse(r.text) : null }));

  test('directory: mint a software in the form, download its bundle, revoke it', async () => {
    await page.getByRole('link', { name: 'Directory', exact: true }).click();
    await page.getByText('Nothing minted yet').waitFor();
    const form = page.getByRole('form', { name: 'Mint a software' });
    assert.equal(await form.getByLabel('Profile').inputValue(), 'obuk-v3.2', 'OBUK is the default profile');
    assert.equal(await form.getByLabel('Organisation', { exact: true }).inputValue(), '', 'a new organisation');
    await form.getByLabel('Organisation name').fill('E2E TPP Ltd');
    await form.getByLabel('Software name').fill('e2e app');
    await form.getByLabel('CBPII').check();
    await form.getByLabel('Redirect URIs').fill('https://tpp.example.com/cb\nhttps://tpp.example.com/cb2');
    await form.getByRole('button', { name: 'EC (ES256)' }).click();

    // Key generation can take seconds; here it is quick: hold the answer back a moment, so
    // the progress indicator can be seen.
    let release;
    const held = new Promise((resolve) => (release = resolve));
    await page.route(`${bank.base}/directory/software`, async (route) => {
      if (route.request().method() === 'POST') await held;
      await route.continue();
    });
    await form.getByRole('button', { name: 'Mint software' }).click();
    const progress = page.getByTestId('mint-progress');
    await progress.waitFor();
    assert.match(await progress.innerText(), /Generating keys/);
    assert.equal(await form.getByRole('button', { name: 'Minting…' }).isDisabled(), true, 'no second mint meanwhile');
    release();
    const result = page.getByTestId('mint-result');
    await result.waitFor();
    await page.unroute(`${bank.base}/directory/software`);
    assert.equal(await page.getByTestId('mint-progress').count(), 0, 'the progress indicator is gone');
    const softwareId = (await page.getByTestId('minted-software-id').textContent()).trim();
    const summary = await result.innerText();
    assert.match(summary, /org_id/);
    assert.match(summary, /Transport DN/);
    assert.match(summary, /ES256/);

    const row = page.locator(`tr[data-software-id="${softwareId}"]`);
    await row.waitFor();
    const rowText = await row.innerText();
    assert.match(rowText, /e2e app/);
    assert.match(rowText, /obuk-v3\.2/);
    assert.match(rowText, /AISP, PISP, CBPII/);
    assert.equal(await row.locator('[data-status]').getAttribute('data-status'), 'Active');
    assert.match(await page.locator('table.directory-orgs').innerText(), /E2E TPP Ltd/);

    // The bundle, fetched again from the list (GET /directory/software/{id}/bundle).
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: /^Bundle/ }).click()]);
    const bundle = JSON.parse(readFileSync(await download.path(), 'utf8'));
    assert.equal(bundle.software_id, softwareId);
    assert.equal(bundle.profile, 'obuk-v3.2');
    assert.equal(bundle.signing_alg, 'ES256');
    assert.deepEqual(bundle.redirect_uris, ['https://tpp.example.com/cb', 'https://tpp.example.com/cb2']);
    assert.match(bundle.transport_key_pem, /-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    assert.equal(bundle.software_statement.split('.').length, 3, 'the SSA is a JWS');
    // And the one the mint answered, with the SSA as its own file.
    const [minted] = await Promise.all([
      page.waitForEvent('download'),
      result.getByRole('button', { name: 'Download bundle (JSON)' }).click(),
    ]);
    assert.equal(JSON.parse(readFileSync(await minted.path(), 'utf8')).software_id, softwareId);
    const [ssa] = await Promise.all([page.waitForEvent('download'), result.getByRole('button', { name: 'ssa.jwt' }).click()]);
    assert.equal(ssa.suggestedFilename(), 'ssa.jwt');
    assert.equal(readFileSync(await ssa.path(), 'utf8'), bundle.software_statement);

    await row.getByRole('button', { name: `Revoke ${softwareId}` }).click();
    await row.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await row.locator('[data-status]').getAttribute('data-status'), 'Active', 'cancel revokes nothing');
    await row.getByRole('button', { name: `Revoke ${softwareId}` }).click();
    await row.getByRole('button', { name: 'Yes' }).click();
    await row.locator('[data-status="Revoked"]').waitFor();
    const listed = (await admin('GET', '/directory/software')).json.find((s) => s.software_id === softwareId);
    assert.equal(listed.status, 'Revoked');
    await page.screenshot({ path: join(shots, 'directory.png') });
  });

  test("traces: the UI's own directory reads are hidden until asked for", async () => {
    // `isDirectoryRead` of ui/src/lib/traces.ts, over a trace row on screen.
    const directoryReads = () =>
      rows().evaluateAll((rs) =>
        rs
          .map((r) => ({
            profile: r.querySelector('.c-profile').textContent.trim(),
            method: r.querySelector('.c-method').textContent.trim(),
            path: r.querySelector('.c-path').textContent.trim(),
          }))
          .filter((t) => t.profile === 'directory' && t.method === 'GET' && !t.path.includes('jwks') && t.path !== '/directory/ca.pem')
          .map((t) => t.path),
      );
    const listings = (paths) => paths.filter((p) => p === '/directory/orgs' || p === '/directory/software');

    // The Directory view lists the directory (GET /directory/orgs, /directory/software,
    // /directory/variants) while the live feed runs.
    await page.getByRole('link', { name: 'Traces', exact: true }).click();
    await rows().first().waitFor();
    await page.getByRole('link', { name: 'Directory', exact: true }).click();
    await page.locator('table.directory-software').waitFor();
    const deadline = Date.now() + 10_000;
    for (;;) {
      const stored = (await admin('GET', '/admin/traces?profile=directory&limit=50')).json;
      const got = stored.filter((t) => t.method === 'GET').map((t) => t.path);
      if (got.includes('/directory/orgs') && got.includes('/directory/software')) break;
      assert.ok(Date.now() < deadline, `the directory's reads are traced (${got.join(', ')})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const toggle = page.getByLabel("Show the UI's own directory reads");
    await page.getByRole('link', { name: 'Traces', exact: true }).click();
    await rows().first().waitFor();
    assert.equal(await toggle.isChecked(), false, 'off by default');
    assert.deepEqual(await directoryReads(), [], 'the live feed added none');
    // A fresh list (GET /admin/traces?hide=directory_reads) has none either.
    await page.reload();
    await page.locator('[data-testid="live"][data-status="live"]').waitFor();
    await rows().first().waitFor();
    assert.deepEqual(await directoryReads(), [], 'the list has none');
    // Nor has an export of the view.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
    assert.ok(exported.length > 0);
    const leaked = exported.filter((t) => t.profile === 'directory' && t.method === 'GET' && !t.path.includes('jwks') && t.path !== '/directory/ca.pem');
    assert.deepEqual(leaked.map((t) => t.path), [], 'the export has none');

    await toggle.check();
    await rows().filter({ has: page.locator('.c-path', { hasText: /^\/directory\/orgs$/ }) }).first().waitFor();
    await rows().filter({ has: page.locator('.c-path', { hasText: /^\/directory\/software$/ }) }).first().waitFor();
    assert.deepEqual([...new Set(listings(await directoryReads()))].sort(), ['/directory/orgs', '/directory/software']);
    await page.screenshot({ path: join(shots, 'traces-directory-listings.png') });

    await toggle.uncheck();
    await rows().filter({ has: page.locator('.c-path', { hasText: /^\/directory\/orgs$/ }) }).first().waitFor({ state: 'detached' });
    await rows().first().waitFor();
    assert.deepEqual(await directoryReads(), [], 'hidden again');
  });

  test('profiles: a check switched off stops running, and reverting brings it back', async () => {
    const id = 'generic.redirect.no_fragment';
    await page.getByRole('link', { name: 'Profiles', exact: true }).click();
    await page.locator('a.side-item[href="#/profiles/generic"]').click();
    const profile = page.locator('.profile[data-profile="generic"]');
    const row = profile.locator(`tr[data-check-id="${id}"]`);
    const toggle = row.getByRole('switch', { name: `Enable ${id}` });
    const tag = row.locator('.tag-override');
    await toggle.waitFor();
    assert.equal(await toggle.isChecked(), true);
    assert.equal(await tag.count(), 0);
    const lastTrace = async (query) => (await admin('GET', `/admin/traces?limit=1&${query}`)).json[0];

    await toggle.click();
    await tag.waitFor();
    assert.equal(await toggle.isChecked(), false);
    assert.match(await row.getAttribute('class'), /\bis-off\b/);
    const generic = (await admin('GET', '/admin/profiles')).json.find((p) => p.id === 'generic');
    const check = generic.checks.find((c) => c.id === id);
    assert.deepEqual([check.enabled, check.default_enabled, check.overridden, generic.overrides], [false, true, true, 1]);

    const off = await register(bank, 'generic', FRAGMENT);
    assert.equal(off.status, 201, off.text);
    const passed = await lastTrace(`client_id=${encodeURIComponent(JSON.parse(off.text).client_id)}`);
    assert.equal(passed.status, 201);
    assert.ok(!passed.checks.some((c) => c.id === id), `${id} did not run`);
    await row.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'profile-override.png') });

    await row.getByRole('button', { name: `Revert ${id}` }).click();
    await tag.waitFor({ state: 'detached' });
    assert.equal(await toggle.isChecked(), true);
    const on = await register(bank, 'generic', FRAGMENT);
    assert.equal(on.status, 400, on.text);
    const failed = await lastTrace('profile=generic');
    assert.equal(failed.status, 400);
    assert.equal(failed.failed_check, id);
    assert.equal(failed.checks.find((c) => c.id === id).outcome, 'fail');

    // Two overrides, reverted together.
    const other = profile
      .locator(`tr[data-check-id]:not([data-check-id="${id}"])`)
      .filter({ has: page.getByRole('switch') })
      .first();
    await toggle.click();
    await tag.waitFor();
    await other.getByRole('switch').click();
    await other.locator('.tag-override').waitFor();
    await profile.getByRole('button', { name: 'Revert all (2)' }).click();
    await profile.locator('.tag-override').first().waitFor({ state: 'detached' });
    assert.equal(await profile.locator('.tag-override').count(), 0);
    assert.equal(await page.getByRole('button', { name: /^Revert all/ }).count(), 0);
    const reverted = (await admin('GET', '/admin/profiles')).json.find((p) => p.id === 'generic');
    assert.equal(reverted.overrides, 0);
    assert.ok(
      reverted.checks.every((c) => (c.applicable === false || c.enabled === c.default_enabled) && !c.overridden),
    );
  });

  test('profiles: checks that cannot apply to a profile are not shown as enabled', async () => {
    const id = 'request.jws_signature';
    await page.getByRole('link', { name: 'Profiles', exact: true }).click();
    await page.locator('a.side-item[href="#/profiles/generic"]').click();
    const profile = page.locator('.profile[data-profile="generic"]');
    const row = profile.locator(`tr[data-check-id="${id}"]`);
    await row.waitFor();
    const na = row.locator('.tag-na');
    assert.equal(await na.count(), 1, `${id} is tagged n/a`);
    assert.equal((await na.innerText()).trim(), 'n/a');
    assert.equal(await na.getAttribute('title'), "Cannot apply to this profile's request format");
    assert.equal(await row.getByRole('switch').count(), 0, 'no switch');
    assert.equal(await row.locator('.tag-off').count(), 0, 'n/a, not off');

    const generic = (await admin('GET', '/admin/profiles')).json.find((p) => p.id === 'generic');
    const check = generic.checks.find((c) => c.id === id);
    assert.deepEqual([check.applicable, check.enabled], [false, false]);
    const applicable = generic.checks.filter((c) => c.applicable !== false);
    const heading = await profile.locator('h2.section-title', { hasText: 'enabled of' }).innerText();
    const counts = heading.match(/(\d+) enabled of (\d+)/);
    assert.ok(counts, heading);
    assert.equal(Number(counts[2]), applicable.length, 'of the checks that apply');
    assert.ok(applicable.length < generic.checks.length, `${id} is not counted`);
    assert.equal(Number(counts[1]), applicable.filter((c) => c.enabled).length);
    assert.equal(await profile.locator('tr[data-check-id] .tag-na').count(), generic.checks.length - applicable.length);
    assert.equal(await profile.getByRole('switch').count(), applicable.length, 'a switch for each check that applies');
    await row.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'profile-not-applicable.png') });
  });

  test('clients: deleting a client in the UI removes it and revokes its access token', async () => {
    const r = await register(bank, 'generic', { ...VALID, client_name: 'to delete' });
    assert.equal(r.status, 201, r.text);
    const client = JSON.parse(r.text);
    const read = () =>
      request(bank, 'GET', client.registration_client_uri, {
        headers: { authorization: `Bearer ${client.registration_access_token}` },
      });
    assert.equal((await read()).status, 200, 'the registration access token works before');

    await page.getByRole('link', { name: 'Clients', exact: true }).click();
    const row = page.locator('table.clients tr.clickable', { hasText: client.client_id });
    await row.waitFor();
    await row.getByRole('button', { name: `Delete ${client.client_id}` }).click();
    const confirm = row.getByRole('group', { name: `Delete ${client.client_id}?` });
    await confirm.waitFor();
    assert.match(await confirm.innerText(), /Delete\?/);
    await confirm.getByRole('button', { name: 'Yes' }).click();
    await row.waitFor({ state: 'detached' });

    const ids = (await admin('GET', '/admin/clients')).json.map((c) => c.client_id);
    assert.ok(!ids.includes(client.client_id), 'the admin API no longer lists it');
    assert.ok(ids.length > 0, 'the other clients are still there');
    assert.equal((await read()).status, 401, 'its registration access token is revoked');
  });

  test('clients: an OBUK client is listed by its software_client_name', async () => {
    const minted = await admin('POST', '/directory/software', { profile: 'obuk-v3.2', software_name: 'Named TPP' });
    assert.equal(minted.status, 201, minted.text);
    assert.equal(minted.json.signing_alg, 'PS256');
    const r = await registerObuk(bank, minted.json);
    assert.equal(r.status, 201, r.text);
    const obukId = JSON.parse(r.text).client_id;
    const { metadata } = (await admin('GET', '/admin/clients')).json.find((c) => c.client_id === obukId);
    assert.equal(metadata.client_name, undefined, 'the request named no client_name');
    assert.equal(metadata.software_client_name, 'Named TPP', 'the SSA did');

    await page.getByRole('link', { name: 'Clients', exact: true }).click();
    await page.locator('table.clients').waitFor();
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    const row = page.locator('table.clients tr.clickable', { hasText: obukId });
    await row.waitFor();
    assert.equal((await row.locator('td.client-name').innerText()).trim(), 'Named TPP');
    assert.match(await row.innerText(), /obuk-v3\.2/);
    await page.screenshot({ path: join(shots, 'clients-obuk.png') });
  });

  test('compare: three profiles side by side, a difference, and the trace behind a cell', async () => {
    await page.getByRole('link', { name: 'Compare', exact: true }).click();
    const form = page.getByRole('form', { name: 'Comparison' });
    const pick = async (group, wanted) => {
      const boxes = form.getByRole('group', { name: group }).getByRole('checkbox');
      await boxes.first().waitFor();
      for (const box of await boxes.all()) await box.setChecked(wanted.includes(await box.getAttribute('value')));
    };
    const profiles = ['generic', 'obuk-v3.2', 'stet'];
    const cases = ['none', 'redirect_fragment', 'missing_redirect_uris'];
    await pick('Profiles', profiles);
    await pick('Cases', cases);
    const fragment = form.locator('label', { has: page.locator('input[value="redirect_fragment"]') });
    assert.match(await fragment.getAttribute('title'), /fragment/, "a case's description is its tooltip");

    // The run takes seconds; hold its answer back until the progress has been seen.
    let release;
    const held = new Promise((resolve) => (release = resolve));
    await page.route(`${bank.base}/admin/compare`, async (route) => {
      await held;
      await route.continue();
    });
    await page.getByTestId('compare-run').click();
    const progress = page.getByTestId('compare-progress');
    await progress.waitFor();
    assert.match(await progress.innerText(), /running 3 cases × 3 profiles/);
    assert.equal(await page.getByTestId('compare-run').isDisabled(), true, 'no second run meanwhile');
    release();
    const matrix = page.getByTestId('compare-matrix');
    await matrix.waitFor({ timeout: 60_000 });
    await page.unroute(`${bank.base}/admin/compare`);
    assert.equal(await progress.count(), 0, 'the progress indicator is gone');

    assert.deepEqual(await matrix.locator('thead th[data-profile]').evaluateAll((ths) => ths.map((th) => th.dataset.profile)), profiles);
    assert.deepEqual(await matrix.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.case)), cases);
    assert.ok((await matrix.locator('td.is-diff').count()) > 0, 'at least one case is answered differently');
    const cell = matrix.locator('[data-testid="compare-cell"][data-case="none"][data-profile="generic"]');
    assert.match(await cell.innerText(), /201/);

    const checks = page.getByTestId('compare-checks');
    await checks.waitFor();
    const all = await checks.locator('tbody tr').count();
    assert.ok(all > 0, 'the checks of the correct registration');
    await page.getByLabel('Only differences').check();
    const differing = await checks.locator('tbody tr').count();
    assert.equal(await checks.locator('tbody tr:not(.is-diff)').count(), 0, 'only the rows that differ');
    assert.ok(differing <= all);
    await page.getByLabel('Only differences').uncheck();
    assert.equal(await checks.locator('tbody tr').count(), all);
    await page.screenshot({ path: join(shots, 'compare.png'), fullPage: true });

    // The export is the server's rendering of the same comparison.
    const [md] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('compare-export-markdown').click()]);
    assert.equal(md.suggestedFilename(), 'compare.md');
    const text = readFileSync(await md.path(), 'utf8');
    assert.match(text, /\| case \| generic \| obuk-v3\.2 \| stet \|/);
    assert.match(text, /redirect_fragment/);

    await cell.click();
    const detail = page.getByTestId('trace-detail');
    await detail.waitFor();
    assert.match(page.url(), /#\/traces\/[^/]+$/);
    await page.locator('.pane-checks tr[data-check-id]').first().waitFor();
    assert.equal(await detail.locator('.detail-meta .tag').first().innerText(), 'generic');
  });

  test('profiles: diff of two profiles', async () => {
    await page.getByRole('link', { name: 'Profiles', exact: true }).click();
    await page.locator('a.side-item[href="#/profiles/generic"]').click();
    const profile = page.locator('.profile[data-profile="generic"]');
    await profile.getByLabel('Compare with').selectOption('stet');
    const diff = profile.getByTestId('profile-diff');
    await diff.waitFor();
    // Under Settings (`discovery.…`): the discovery section does not repeat what they show.
    const row = diff.locator('[data-section="settings"] tr[data-key="discovery.token_endpoint_auth_methods_supported"]');
    await row.waitFor();
    const cells = await row.locator('td').allInnerTexts();
    assert.equal(cells.length, 3);
    assert.notEqual(cells[1], cells[2], 'generic and stet list different methods');
    assert.equal(await diff.locator('[data-section="settings"]').count(), 1);
    assert.equal(await diff.locator('[data-section="checks"]').count(), 1);
    await diff.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'profile-diff.png') });
  });

  test("clients: a client's report grades its mistakes and links the spec and the trace", async () => {
    const r = await register(bank, 'generic', { ...VALID, client_name: 'to report' });
    assert.equal(r.status, 201, r.text);
    const client = JSON.parse(r.text);
    // An update whose redirect URI has a fragment is refused, and its trace names the client.
    const update = await request(bank, 'PUT', client.registration_client_uri, {
      headers: {
        authorization: `Bearer ${client.registration_access_token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ ...FRAGMENT, client_name: 'to report', client_id: client.client_id }),
    });
    assert.equal(update.status, 400, update.text);

    await page.getByRole('link', { name: 'Clients', exact: true }).click();
    await page.locator('table.clients').waitFor();
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    const row = page.locator('table.clients tr.clickable', { hasText: client.client_id });
    await row.waitFor();
    await row.getByTestId('client-report-button').click();
    const report = page.getByTestId('client-report');
    await report.waitFor();
    const item = report.getByTestId('grade-item').filter({ hasText: 'generic.redirect.no_fragment' });
    await item.waitFor();
    const spec = item.locator('a[href="https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2"]');
    assert.equal(await spec.count(), 1, 'the spec reference links to RFC 6749 §3.1.2');
    assert.equal(await spec.getAttribute('target'), '_blank');
    assert.match(await item.locator('a[href^="#/traces/"]').getAttribute('href'), /^#\/traces\/[^/]+$/, 'the example links to its trace');
    await report.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'client-report.png') });

    const [md] = await Promise.all([page.waitForEvent('download'), report.getByTestId('client-report-markdown').click()]);
    assert.equal(md.suggestedFilename(), 'report.md');
    assert.ok(readFileSync(await md.path(), 'utf8').length > 0, 'the Markdown report is not empty');
  });

  test('signing in with the admin token works; signing out ends the session', async () => {
    const ctx = await newContext();
    const p = await ctx.newPage();
    await p.goto(`${bank.base}/ui/`);
    await p.getByTestId('signin').waitFor();
    await p.screenshot({ path: join(shots, 'signin.png') });
    await p.getByLabel('Admin token').fill('not-the-token');
    await p.getByRole('button', { name: 'Sign in' }).click();
    assert.match(await p.getByRole('alert').textContent(), /not this mockbank's admin token/);
    await p.getByLabel('Admin token').fill(bank.token);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.locator('.trow[data-seq]').first().waitFor();

    await p.getByRole('button', { name: 'Sign out' }).click();
    await p.getByTestId('signin').waitFor();
    const status = await p.evaluate(async () => (await fetch('/admin/traces', { credentials: 'same-origin' })).status);
    assert.equal(status, 401);
    await ctx.close();
  });

  // Walkthroughs: the trainer's view of a scenario, run by the reference TPP client.
  const WALKTHROUGH = 'obuk-end-to-end';
  /** The run the walkthrough view started (its id is kept in sessionStorage). */
  const walkthroughRun = () =>
    page.evaluate((name) => JSON.parse(sessionStorage.getItem(`mockbank.walkthrough.${name}`) ?? 'null')?.run_id ?? null, WALKTHROUGH);

  test('walkthrough: stepped through with the keyboard, drawn as it runs, and broken on purpose', async () => {
    const scenarios = (await admin('GET', '/admin/scenarios')).json;
    const scenario = (await admin('GET', `/admin/scenarios/${WALKTHROUGH}`)).json;
    const registerAt = scenario.steps.findIndex((s) => s.action === 'register');
    assert.ok(registerAt > 0, 'the scenario registers after onboarding');

    await page.getByRole('link', { name: 'Walkthroughs', exact: true }).click();
    const cards = page.getByTestId('walkthrough-card');
    await cards.first().waitFor();
    assert.equal(await cards.count(), scenarios.length, 'a card per scenario');
    const card = page.locator(`[data-testid="walkthrough-card"][data-name="${WALKTHROUGH}"]`);
    const cardText = await card.innerText();
    const listed = scenarios.find((s) => s.name === WALKTHROUGH);
    for (const part of [listed.title, listed.audience, ...listed.profiles, `${listed.steps} steps`]) {
      assert.ok(cardText.includes(part), `the card shows ${part}`);
    }
    await card.click();
    assert.match(page.url(), new RegExp(`#/walkthrough/${WALKTHROUGH}$`));
    await page.getByTestId('wt-intro').waitFor();
    assert.equal(await page.locator('[data-testid="wt-step-item"][data-state="not-run"]').count(), scenario.steps.length);

    // → runs the next step and shows it, until the registration has run.
    const shown = page.getByTestId('wt-step');
    for (let i = 0; i <= registerAt; i++) {
      await page.keyboard.press('ArrowRight');
      await page.locator(`[data-testid="wt-step"][data-index="${i}"]:is([data-state="ok"], [data-state="fail"])`).waitFor({ timeout: 60_000 });
      assert.equal(await shown.getAttribute('data-ok'), 'true', `step ${i + 1} (${scenario.steps[i].title}) met its expectation`);
    }
    assert.equal(await shown.getAttribute('data-action'), 'register');
    assert.equal((await shown.locator('h1').innerText()).trim(), scenario.steps[registerAt].title);
    assert.match(await page.getByTestId('narration').innerText(), /directory/, 'the narration, injected');
    assert.match(await page.getByTestId('expect-vs-actual').innerText(), /201/);
    assert.equal(await page.getByTestId('expect-vs-actual').getAttribute('data-met'), 'true');
    const item = page.locator(`[data-testid="wt-step-item"][data-index="${registerAt}"]`);
    assert.equal(await item.getAttribute('aria-current'), 'step', 'the step list marks the current step');
    assert.equal(await item.getAttribute('data-state'), 'ok');
    assert.equal(await page.locator(`[data-testid="wt-step-item"][data-index="${registerAt + 1}"]`).getAttribute('data-state'), 'not-run');

    // The diagram: every arrow of both steps, numbered in order, those with a trace linked to it.
    const diagram = page.getByTestId('sequence-diagram');
    const traced = diagram.locator('[data-trace-id]');
    assert.ok((await traced.count()) >= 4, 'onboarding and registration arrows carry their traces');
    const numbers = await diagram.locator('[data-testid="seq-arrow"]').evaluateAll((as) => as.map((a) => Number(a.dataset.n)));
    assert.deepEqual(numbers, numbers.map((_, i) => i + 1), 'numbered in order');
    const current = diagram.locator(`.seq-arrow.is-current`);
    assert.ok((await current.count()) >= 2, "the current step's arrows are emphasized");
    assert.equal(await diagram.locator(`.seq-arrow.is-current:not([data-step="${registerAt}"])`).count(), 0);
    const traceId = await page.getByTestId('wt-trace').getAttribute('data-trace-id');
    assert.ok((await diagram.locator(`a[data-trace-id="${traceId}"]`).count()) >= 2, 'the request and the answer of the exchange shown');

    // The exchange: the checks it points at are highlighted, the JWTs decoded, the certificate shown.
    const exchange = page.getByTestId('wt-trace');
    assert.equal(await exchange.locator('tr.pointed[data-check-id="ssa.signature"][data-outcome="pass"]').count(), 1);
    assert.ok((await exchange.getByTestId('jwt').count()) >= 2, 'the request object and its SSA, decoded');
    assert.ok((await exchange.locator('.j-key.pointed').count()) > 0, 'the claims it points at');
    assert.equal(await exchange.getByTestId('client-cert').count(), 1);
    assert.equal(await page.getByTestId('deciding-check').count(), 0, 'nothing failed');
    await page.screenshot({ path: join(shots, 'walkthrough.png') });

    // Break it: the same registration with a tampered software statement.
    const select = page.getByTestId('break-select');
    await select.focus();
    await page.keyboard.press('ArrowRight'); // focus is in the select: not the next step
    assert.equal(await shown.getAttribute('data-index'), String(registerAt));
    assert.equal(await page.locator(`[data-testid="wt-step-item"][data-index="${registerAt + 1}"]`).getAttribute('data-state'), 'not-run');
    await select.selectOption('tampered_ssa');
    await page.getByTestId('break-it').click();
    const broken = page.locator('[data-testid="broken-result"][data-deviation="tampered_ssa"]');
    await broken.waitFor({ timeout: 60_000 });
    const deciding = page.getByTestId('deciding-check');
    await deciding.waitFor();
    assert.ok((await deciding.innerText()).includes('ssa.signature'), await deciding.innerText());
    assert.equal(await deciding.getAttribute('data-check-id'), 'ssa.signature');
    assert.equal(await deciding.getAttribute('data-outcome'), 'fail');
    assert.match(await deciding.getAttribute('class'), /\bis-failed-check\b/);
    const brokenText = await broken.innerText();
    assert.match(brokenText, /refused it/);
    assert.match(brokenText, /400/);
    assert.match(await page.getByTestId('broken-decider').innerText(), /ssa\.signature[\s\S]*signature/);
    assert.match(await diagram.innerText(), /tampered_ssa/, 'the diagram shows the broken request');
    assert.equal(await item.locator('.tag-broken').count(), 1, 'the step list says it ran broken');
    await page.screenshot({ path: join(shots, 'walkthrough-broken.png') });

    // The arrow opens its real trace, and the walkthrough is where it was on the way back.
    const brokenTrace = await page.getByTestId('wt-trace').getAttribute('data-trace-id');
    await diagram.locator(`a.is-current[data-trace-id="${brokenTrace}"][data-kind="response"]`).click();
    await page.locator(`[data-testid="trace-detail"][data-trace-id="${brokenTrace}"]`).waitFor();
    assert.equal(await page.locator('tr.is-failed-check').getAttribute('data-check-id'), 'ssa.signature');
    await page.goBack();
    await page.locator(`[data-testid="wt-step"][data-index="${registerAt}"]`).waitFor();
    await broken.waitFor();

    // Correct again, then back a step without running it again.
    await page.getByTestId('rerun-correct').click();
    await broken.waitFor({ state: 'detached', timeout: 60_000 });
    await page.locator(`[data-testid="wt-step"][data-index="${registerAt}"][data-state="ok"]`).waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId('deciding-check').count(), 0);
    const run = (await admin('GET', `/admin/scenario-runs/${await walkthroughRun()}`)).json;
    assert.equal(run.results[registerAt].deviation, null, 'the server has the correct run as the latest');
    assert.equal(run.results[registerAt].status, 201);
    const before = run.results[0].trace_ids;
    await page.keyboard.press('ArrowLeft');
    await page.locator('[data-testid="wt-step"][data-index="0"][data-state="ok"]').waitFor();
    const again = (await admin('GET', `/admin/scenario-runs/${await walkthroughRun()}`)).json;
    assert.deepEqual(again.results[0].trace_ids, before, '← does not run the step again');
    await page.keyboard.press('ArrowRight');
    await page.locator(`[data-testid="wt-step"][data-index="${registerAt}"]`).waitFor();

    // A reload finds the run (GET /admin/scenario-runs/{id}) and the step it showed.
    await page.reload();
    await page.locator(`[data-testid="wt-step"][data-index="${registerAt}"][data-state="ok"]`).waitFor();
    assert.equal(await page.locator('[data-testid="wt-step-item"][data-state="ok"]').count(), registerAt + 1);
    assert.ok((await diagram.locator('[data-trace-id]').count()) >= 4, 'the diagram is drawn again');
  });

  test('walkthrough: the handout of the run, in HTML and Markdown', async () => {
    const runId = await walkthroughRun();
    assert.ok(runId, 'the walkthrough started a run');
    const scenario = (await admin('GET', `/admin/scenarios/${WALKTHROUGH}`)).json;

    const [html] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('handout-html').click()]);
    assert.equal(html.suggestedFilename(), `${WALKTHROUGH}-handout.html`);
    const text = readFileSync(await html.path(), 'utf8');
    // The same file as the admin API answers for the run.
    const api = await request(bank, 'GET', `/admin/scenario-runs/${runId}/handout?format=html`, {
      headers: { authorization: `Bearer ${bank.token}` },
    });
    assert.equal(api.status, 200);
    assert.match(api.headers['content-type'], /^text\/html/);

    const handout = await context.newPage();
    await handout.setContent(text);
    const shown = await handout.locator('body').innerText();
    for (const step of scenario.steps) assert.ok(shown.includes(step.title), `the handout has step "${step.title}"`);
    assert.ok((await handout.locator('svg').count()) > 0, 'the sequence diagram, as SVG');
    await handout.screenshot({ path: join(shots, 'handout.png'), fullPage: true });
    await handout.close();

    const [md] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('handout-markdown').click()]);
    assert.equal(md.suggestedFilename(), `${WALKTHROUGH}-handout.md`);
    const markdown = readFileSync(await md.path(), 'utf8');
    for (const step of scenario.steps) assert.ok(markdown.includes(step.title), `the Markdown handout has "${step.title}"`);
  });
});
