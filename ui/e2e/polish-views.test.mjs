// Layout and behaviour of the views a newcomer meets first (issue #29): the first-run cards
// and their in-process "Run it here", the sign-in hint, a check's values and the JWT claims
// in a trace, the walkthrough's exchange and its stale steps, the client report's grade, and
// the handout. One bank and one signed-in page carry through the tests in order: the first
// two need a bank without traces. Screenshots go to e2e/screenshots/polish-*.png.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  FRAGMENT,
  VALID,
  assertNoOverlap,
  assertNotClipped,
  endSession,
  newContext,
  register,
  request,
  shots,
  signedInSession,
} from './harness.mjs';

const WALKTHROUGH = 'obuk-end-to-end';

/** How many lines the text of `locator` takes on screen. */
const lineCount = (locator) =>
  locator.evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = [...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top));
    return new Set(tops).size;
  });

/** Boxes whose content is wider than they are (scrolled or cut off sideways). */
const overflowingSideways = (root, selector) =>
  root.evaluate(
    (el, sel) =>
      [...el.querySelectorAll(sel)]
        .filter((e) => e.scrollWidth > e.clientWidth + 1)
        .map((e) => `${e.tagName.toLowerCase()}.${e.className}: ${e.scrollWidth} in ${e.clientWidth}`),
    selector,
  );

describe('newcomer polish: first-run, details, walkthrough, report, sign-in, handout', () => {
  let session;
  let bank;
  let page;
  /** The obuk-v3.2 registration that "Run it here" made. */
  let obukTraceId;

  const admin = (method, path, body) =>
    request(bank, method, path, {
      headers: {
        authorization: `Bearer ${bank.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then((r) => ({ ...r, json: r.text && r.headers['content-type']?.includes('json') ? JSON.parse(r.text) : null }));

  before(async () => {
    session = await signedInSession();
    ({ bank, page } = session);
  });

  after(async () => {
    await endSession(session ?? {});
  });

  test('first-run cards: each command wraps inside its box, clear of its Copy button', async () => {
    const boot = await page.evaluate(() => JSON.parse(document.getElementById('mockbank-bootstrap').textContent));
    const cards = page.locator('.fr-profile');
    assert.equal(await cards.count(), boot.profiles.length, 'a card per profile');
    for (const card of await cards.all()) {
      const id = await card.getAttribute('data-profile');
      const command = card.getByTestId('first-run-command');
      await assertNoOverlap(card.locator('.cmd').first().getByRole('button', { name: 'Copy' }), command, `${id}: Copy and the command`);
      assert.deepEqual(await overflowingSideways(card, '.cmd pre.code'), [], `${id}: the command is not cut off on the right`);
      // Wrapped on screen, the same text to copy.
      const expected = boot.profiles.find((p) => p.id === id).first_run.command;
      assert.equal(await command.textContent(), expected, `${id}: the command, verbatim`);
      assert.equal(await card.getByRole('button', { name: 'Run it here' }).count(), 1, `${id}: a button to run it here`);
    }
    // A long command does wrap: the OBUK card's is longer than its box is wide.
    const obuk = page.locator('.fr-profile[data-profile="obuk-v3.2"]').getByTestId('first-run-command');
    assert.ok((await lineCount(obuk)) >= 2, 'the reference TPP command wraps');
    // The failing request, once unfolded, too.
    const generic = page.locator('.fr-profile[data-profile="generic"]');
    await generic.locator('summary').click();
    const bad = generic.locator('details .cmd');
    await assertNoOverlap(bad.getByRole('button', { name: 'Copy' }), bad.locator('pre'), 'failing request: Copy and the command');
    assert.deepEqual(await overflowingSideways(generic, 'details pre.code'), []);
    await assertNotClipped(page.getByTestId('first-run'), '.cmd, .cmd pre, .fr-run', 'first-run cards');

    const note = await page.getByTestId('first-run-cli-note').innerText();
    assert.match(note, /installed package puts it/, 'where `mockbank` comes from: a package');
    assert.match(note, /scripts\/mockbank/, 'or a source checkout');
    await page.screenshot({ path: join(shots, 'polish-first-run.png') });
  });

  test('first-run: a run the server refuses says why on its card, and the first-run state stays', async () => {
    const refuse = (url) => url.pathname === '/admin/compare';
    await page.route(refuse, (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ error: 'temporarily_unavailable', error_description: 'the reference TPP is busy' }),
      }),
    );
    const card = page.locator('.fr-profile[data-profile="generic"]');
    await card.getByRole('button', { name: 'Run it here' }).click();
    const outcome = card.getByTestId('first-run-outcome').locator('.error-text');
    await outcome.waitFor();
    assert.equal(await outcome.innerText(), 'the reference TPP is busy');
    assert.match(await page.getByTestId('notice').filter({ hasText: 'generic' }).innerText(), /Run on generic failed: the reference TPP is busy/);
    assert.equal(await page.getByTestId('first-run').count(), 1, 'nothing ran: still the first-run state');
    await card.screenshot({ path: join(shots, 'polish-first-run-refused.png') });
    await page.unroute(refuse);
  });

  test('first-run: "Run it here" registers in-process (POST /admin/compare) and opens the 201 trace', async () => {
    const compared = page.waitForRequest((r) => r.url() === `${bank.base}/admin/compare` && r.method() === 'POST');
    const card = page.locator('.fr-profile[data-profile="obuk-v3.2"]');
    await card.getByRole('button', { name: 'Run it here' }).click();
    assert.deepEqual((await compared).postDataJSON(), { profiles: ['obuk-v3.2'], cases: ['none'] });

    // Its trace ends the first-run state; the app opens it and says how it went.
    const detail = page.getByTestId('trace-detail');
    await detail.waitFor({ timeout: 60_000 });
    obukTraceId = await detail.getAttribute('data-trace-id');
    assert.equal(new URL(page.url()).hash, `#/traces/${obukTraceId}`);
    assert.match(await detail.locator('.detail-title').innerText(), /POST\s+\/obuk-v3\.2\/register\s+201 Created/);
    const notice = page.getByTestId('notice').filter({ hasText: 'Run on obuk-v3.2' });
    assert.equal((await notice.innerText()).replace('×', '').trim(), 'Run on obuk-v3.2: 201 Created');
    await page.screenshot({ path: join(shots, 'polish-first-run-run.png') });

    // The trace it opened is the registration the server ran.
    const trace = (await admin('GET', `/admin/traces/${obukTraceId}`)).json;
    assert.deepEqual([trace.method, trace.path, trace.status], ['POST', '/obuk-v3.2/register', 201]);
  });

  test('sign-in: the placeholder reads the admin token from this server\'s data dir', async () => {
    const ctx = await newContext(session.browser, bank);
    const p = await ctx.newPage();
    await p.goto(`${bank.base}/ui/`);
    await p.getByTestId('signin').waitFor();
    const file = bank.ready.admin_token_file;
    assert.ok(file.startsWith(bank.dataDir), `${file} is under the --data-dir`);
    assert.equal(await p.getByLabel('Admin token').getAttribute('placeholder'), `cat ${file}`);
    assert.equal(await p.getByTestId('admin-token-file').textContent(), file);
    assert.doesNotMatch(await p.getByTestId('signin').innerHTML(), /\.local\/share/);
    await p.screenshot({ path: join(shots, 'polish-signin.png') });
    await ctx.close();
  });

  test("trace detail: a long key leaves its value the width; JWT claims grow to their content", async () => {
    await page.goto(`${bank.base}/ui/#/traces/${obukTraceId}`);
    await page.getByTestId('trace-detail').waitFor();
    for (const key of ['tls_client_auth_subject_dn', 'token_endpoint_auth_method']) {
      const entry = page.locator('.pane-checks dl.check-values > div').filter({ has: page.locator('dt', { hasText: new RegExp(`^${key}$`) }) }).first();
      await entry.scrollIntoViewIfNeeded();
      const [dl, dd] = [await entry.locator('xpath=..').boundingBox(), await entry.locator('dd').boundingBox()];
      assert.ok(dd.width >= 200, `${key}: its value is ${dd.width}px wide`);
      assert.ok(dd.width >= dl.width * 0.85, `${key}: its value takes the box's width (${dd.width} of ${dl.width})`);
    }
    const dn = page
      .locator('.pane-checks dl.check-values > div')
      .filter({ has: page.locator('dt', { hasText: /^tls_client_auth_subject_dn$/ }) })
      .first()
      .locator('dd');
    const dnLines = await lineCount(dn);
    assert.ok(dnLines <= 3, `the DN takes ${dnLines} lines`);
    await dn.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'polish-check-values.png') });

    const jwt = page.locator('.pane-exchange [data-testid="jwt"]').first();
    await jwt.scrollIntoViewIfNeeded();
    const claims = jwt.locator('.jwt-parts > :last-child pre');
    const inner = await claims.evaluate((el) => ({ scroll: el.scrollHeight, client: el.clientHeight, text: el.textContent }));
    assert.ok(inner.scroll <= inner.client + 1, `the claims box shows all of its ${inner.scroll}px`);
    assert.match(inner.text, /"tls_client_auth_subject_dn": "CN=/, 'the claim and its value, in full');
    assert.deepEqual(await overflowingSideways(page.locator('.pane-exchange'), 'pre.code'), []);
    const claimsBox = await claims.boundingBox();
    const paneBox = await page.locator('.pane-exchange').boundingBox();
    assert.ok(claimsBox.width >= paneBox.width * 0.8, `the claims take the pane's width (${claimsBox.width} of ${paneBox.width})`);
    await page.screenshot({ path: join(shots, 'polish-jwt-claims.png') });
  });

  test('walkthrough: underscores show in the chips, the exchange takes the width, re-running a step makes the later ones stale', async () => {
    const scenario = (await admin('GET', `/admin/scenarios/${WALKTHROUGH}`)).json;
    const registerAt = scenario.steps.findIndex((s) => s.action === 'register');
    const later = registerAt + 1;
    assert.ok(later < scenario.steps.length, 'a step after the registration');

    await page.goto(`${bank.base}/ui/#/walkthrough/${WALKTHROUGH}`);
    await page.getByTestId('wt-intro').waitFor();
    const item = (i) => page.locator(`[data-testid="wt-step-item"][data-index="${i}"]`);
    const settled = (i) =>
      page.locator(`[data-testid="wt-step"][data-index="${i}"]:is([data-state="ok"], [data-state="fail"])`).waitFor({ timeout: 60_000 });
    for (let i = 0; i <= later; i++) {
      await page.keyboard.press('ArrowRight');
      await settled(i);
    }
    assert.equal(await item(later).getAttribute('data-state'), 'ok');

    // The registration's exchange: the chips of the claims it points at.
    await item(registerAt).click();
    await page.getByTestId('wt-trace').waitFor();
    const chip = page.locator('.pointed-claims code.pointed', { hasText: 'tls_client_auth_subject_dn' }).first();
    await chip.scrollIntoViewIfNeeded();
    const below = (loc) =>
      loc.evaluate((el) => {
        const range = document.createRange();
        range.selectNodeContents(el);
        return el.getBoundingClientRect().bottom - range.getBoundingClientRect().bottom;
      });
    assert.ok((await below(chip)) >= 2, 'the chip\'s outline is below the text, not over its underscores');
    const key = page.locator('.j-key.pointed', { hasText: 'tls_client_auth_subject_dn' }).first();
    assert.ok((await below(key)) >= 2, "a pointed key's outline is below its underscores");
    const box = await chip.boundingBox();
    await page.screenshot({ path: join(shots, 'polish-walkthrough-chips.png'), clip: { x: box.x - 360, y: box.y - 40, width: 760, height: 110 } });

    const [exchange, panes] = [await page.locator('.wt-pane-exchange').first().boundingBox(), await page.locator('.wt-panes').first().boundingBox()];
    assert.ok(exchange.width >= panes.width * 0.95, `the exchange takes the width (${exchange.width} of ${panes.width})`);
    assert.deepEqual(await overflowingSideways(page.locator('.wt-exchange'), 'pre.code'), []);
    await page.locator('.wt-pane-exchange [data-testid="jwt"]').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'polish-walkthrough-exchange.png') });
    await page.locator('.wt-panes .pane-checks').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'polish-walkthrough-checks.png') });

    // Break the registration: the step after it ran on the correct one, so it is stale.
    await page.getByTestId('break-select').selectOption('tampered_ssa');
    await page.getByTestId('break-it').click();
    await page.locator('[data-testid="broken-result"][data-deviation="tampered_ssa"]').waitFor({ timeout: 60_000 });
    await page.locator(`[data-testid="wt-step-item"][data-index="${later}"][data-state="stale"]`).waitFor();
    assert.equal(await item(later).locator('.tag-stale').innerText(), 'stale — re-run');
    assert.equal(await item(later).locator('.wt-b-ok').count(), 0, 'no ✓ from the run before');
    for (let i = 0; i <= registerAt; i++) assert.notEqual(await item(i).getAttribute('data-state'), 'stale', `step ${i + 1} is not stale`);
    assert.match(await page.locator('.wt-progress').innerText(), /1 stale/);
    assert.match(await page.getByTestId('sequence-diagram').innerText(), new RegExp(`${later + 1}\\. .* — stale`));
    await page.screenshot({ path: join(shots, 'polish-walkthrough-stale.png') });

    // A reload keeps it stale (the order comes from the traces' sequence numbers).
    await page.reload();
    await page.locator(`[data-testid="wt-step-item"][data-index="${later}"][data-state="stale"]`).waitFor();

    // Its slide says so, with a button that runs it again (on the broken registration now).
    const runId = await page.evaluate((n) => JSON.parse(sessionStorage.getItem(`mockbank.walkthrough.${n}`)).run_id, WALKTHROUGH);
    const traceIdsOf = async (i) => (await admin('GET', `/admin/scenario-runs/${runId}`)).json.results[i].trace_ids;
    await item(later).click();
    const slide = page.locator(`[data-testid="wt-step"][data-index="${later}"]`);
    assert.equal(await slide.getAttribute('data-state'), 'stale');
    assert.match(await page.getByTestId('wt-stale').innerText(), new RegExp(`Step ${registerAt + 1} ran again after this one`));
    assert.equal((await page.getByTestId('wt-next').innerText()).trim(), 'Re-run this step →');
    await page.screenshot({ path: join(shots, 'polish-walkthrough-stale-step.png') });
    let before = await traceIdsOf(later);
    await page.getByTestId('rerun-stale').click();
    await settled(later);
    assert.notEqual(await item(later).getAttribute('data-state'), 'stale');
    assert.equal(await page.getByTestId('wt-stale').count(), 0);
    assert.notDeepEqual(await traceIdsOf(later), before, 'the step ran again');

    // The registration correct again: stale again, and → from it runs the stale step.
    await item(registerAt).click();
    await page.getByTestId('rerun-correct').click();
    await page.locator(`[data-testid="wt-step"][data-index="${registerAt}"][data-state="ok"]`).waitFor({ timeout: 60_000 });
    await page.locator(`[data-testid="wt-step-item"][data-index="${later}"][data-state="stale"]`).waitFor();
    before = await traceIdsOf(later);
    await page.keyboard.press('ArrowRight');
    await settled(later);
    assert.equal(await item(later).getAttribute('data-state'), 'ok', 'on the correct registration again');
    assert.notDeepEqual(await traceIdsOf(later), before, '→ ran it again');
  });

  test('client report: the grade headline of the Markdown report; names and dates on one line', async () => {
    const r = await register(bank, 'generic', { ...VALID, client_name: 'to report' });
    assert.equal(r.status, 201, r.text);
    const client = JSON.parse(r.text);
    const update = await request(bank, 'PUT', client.registration_client_uri, {
      headers: { authorization: `Bearer ${client.registration_access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...FRAGMENT, client_name: 'to report', client_id: client.client_id }),
    });
    assert.equal(update.status, 400, update.text);

    await page.goto(`${bank.base}/ui/#/clients`);
    const row = page.locator('table.clients tr.clickable', { hasText: client.client_id });
    await row.waitFor();
    await row.getByTestId('client-report-button').click();
    const report = page.getByTestId('client-report');
    const grade = report.getByTestId('client-report-grade');
    await grade.waitFor();
    assert.equal(await grade.getAttribute('data-grade'), 'broken');
    assert.equal((await grade.locator('h3').innerText()).trim(), 'Grade: 1 rule broken');
    const markdown = (await admin('GET', `/admin/report?client_id=${client.client_id}&format=markdown`)).json.text;
    assert.match(markdown, /^### Grade: 1 rule\(s\) broken$/m, 'the Markdown report says the same');

    // Each client's name and dates on one line (the reference TPP's name is the longest).
    for (const tr of await page.locator('table.clients tr.clickable').all()) {
      const cells = tr.locator('xpath=./td');
      const n = await cells.count();
      for (const [cell, what] of [
        [tr.locator('td.client-name'), 'name'],
        [cells.nth(n - 3), 'registered'],
        [cells.nth(n - 2), 'updated'],
      ]) {
        assert.equal(await lineCount(cell), 1, `${what} of ${await tr.locator('td').first().innerText()}: one line`);
      }
    }
    assert.ok((await page.locator('td.client-name', { hasText: 'mockbank reference TPP' }).count()) > 0, 'a long name is among them');
    await report.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'polish-client-report.png') });

    // A client none of whose requests is left: the server's own answer for such a client.
    await page.route(
      (url) => url.pathname === '/admin/report' && url.searchParams.get('client_id') === client.client_id && !url.searchParams.has('format'),
      async (route) => {
        const url = new URL(route.request().url());
        url.searchParams.set('client_id', 'a-client-without-requests');
        await route.fulfill({ response: await route.fetch({ url: url.toString() }) });
      },
    );
    await report.getByRole('button', { name: 'Close' }).click();
    await row.getByTestId('client-report-button').click();
    await page.locator('[data-testid="client-report-grade"][data-grade="nothing"]').waitFor();
    const empty = await page.getByTestId('client-report-grade').innerText();
    assert.match(empty, /^Grade: nothing to grade/);
    assert.match(empty, /no request of this client reached mockbank, so no check ran/);
    const emptyMarkdown = (await admin('GET', '/admin/report?client_id=a-client-without-requests&format=markdown')).json.text;
    assert.match(emptyMarkdown, /^### Grade: nothing to grade$/m);
    await page.getByTestId('client-report').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'polish-client-report-nothing.png') });
    await page.unrouteAll();
  });

  test('handout: steps fold, tokens wrap, the diagram is laid out from its labels and fills its box', async () => {
    const start = await admin('POST', `/admin/scenarios/${WALKTHROUGH}/runs`, {});
    assert.ok(start.status < 300, start.text);
    const { run_id: runId, steps } = start.json;
    for (let i = 0; i < steps; i++) {
      const step = await admin('POST', `/admin/scenario-runs/${runId}/steps/${i}`, {});
      assert.ok(step.status < 300, step.text);
    }
    // The registration broken too: its labels are the longest.
    const scenario = (await admin('GET', `/admin/scenarios/${WALKTHROUGH}`)).json;
    const registerAt = scenario.steps.findIndex((s) => s.action === 'register');
    await admin('POST', `/admin/scenario-runs/${runId}/steps/${registerAt}`, { deviation: 'tampered_ssa' });
    const html = await admin('GET', `/admin/scenario-runs/${runId}/handout?format=html`);
    assert.equal(html.status, 200);

    const handout = await session.context.newPage();
    await handout.setContent(html.text);
    const shown = await handout.locator('body').innerText();
    for (const step of scenario.steps) assert.ok(shown.includes(step.title), `the handout has step "${step.title}"`);
    assert.equal(await handout.locator('details.step').count(), scenario.steps.length, 'a fold per step');
    assert.ok((await handout.locator('details.exchange').count()) >= scenario.steps.length - 1, 'a fold per exchange');
    assert.equal(await handout.locator('details.exchange[open]').count(), 0, 'the exchanges start folded');
    const folded = await handout.evaluate(() => document.documentElement.scrollHeight);
    assert.ok(folded < 6000, `${folded}px tall with its exchanges folded`);
    await handout.screenshot({ path: join(shots, 'polish-handout.png'), fullPage: true });
    // Printed, the folded exchanges are open: a trainer's paper copy has every request.
    const firstExchangeBody = handout.locator('details.exchange').first().locator('pre').first();
    assert.equal(await firstExchangeBody.isVisible(), false, 'folded on screen');
    await handout.emulateMedia({ media: 'print' });
    assert.equal(await firstExchangeBody.isVisible(), true, 'open in print');
    await handout.emulateMedia({ media: 'screen' });

    // The diagram: as wide as its box, its viewBox the laid-out size, and no label over a
    // lifeline or an arrowhead.
    const diagram = await handout.locator('.diagram svg').evaluate((svg) => {
      const [, , vbWidth] = svg.getAttribute('viewBox').split(' ').map(Number);
      const box = svg.parentElement;
      const padding = parseFloat(getComputedStyle(box).paddingLeft) + parseFloat(getComputedStyle(box).paddingRight);
      const lifelines = [...svg.querySelectorAll(':scope > line')].map((l) => Number(l.getAttribute('x1')));
      const labels = [...svg.querySelectorAll('g.arrow')].map((g) => {
        const line = g.querySelector('line');
        const [x1, x2, y] = ['x1', 'x2', 'y1'].map((a) => Number(line.getAttribute(a)));
        const b = g.querySelector('text').getBBox();
        return { text: g.querySelector('text').textContent, left: b.x, right: b.x + b.width, top: b.y, bottom: b.y + b.height, x1, x2, y };
      });
      return {
        vbWidth,
        widthAttr: Number(svg.getAttribute('width')),
        rendered: svg.getBoundingClientRect().width,
        room: box.clientWidth - padding,
        lifelines,
        labels,
      };
    });
    assert.equal(diagram.vbWidth, diagram.widthAttr, 'the viewBox is the laid-out width');
    assert.ok(Math.abs(diagram.rendered - diagram.room) <= 1, `the diagram fills its box (${diagram.rendered} of ${diagram.room})`);
    assert.equal(diagram.lifelines.length, 3);
    assert.ok(diagram.labels.length >= 10, 'every arrow of the run');
    for (const l of diagram.labels) {
      for (const x of diagram.lifelines) assert.ok(x <= l.left || x >= l.right, `"${l.text}" (${l.left}–${l.right}) crosses the lifeline at ${x}`);
      // The head: the marker's 10×8 path at a stroke width of 1.6, its tip on x2.
      const dir = Math.sign(l.x2 - l.x1);
      const [headLeft, headRight] = dir > 0 ? [l.x2 - 16, l.x2] : [l.x2, l.x2 + 16];
      const apart = l.right <= headLeft || l.left >= headRight || l.bottom <= l.y - 6.4 || l.top >= l.y + 6.4;
      assert.ok(apart, `"${l.text}" clears its arrowhead`);
    }
    const box = await handout.locator('.diagram').boundingBox();
    await handout.screenshot({ path: join(shots, 'polish-handout-diagram.png'), clip: box });

    // Unfolded, nothing runs out sideways: long tokens wrap.
    await handout.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
    assert.deepEqual(await overflowingSideways(handout.locator('body'), 'pre, table'), []);
    const page = await handout.evaluate(() => ({ scroll: document.documentElement.scrollWidth, view: innerWidth }));
    assert.ok(page.scroll <= page.view, `no sideways scrolling (${page.scroll} in ${page.view})`);
    const jwt = handout.locator('pre', { hasText: '"software_statement": "eyJ' }).first();
    await jwt.scrollIntoViewIfNeeded();
    assert.ok((await lineCount(jwt)) > 10, 'a JWT wraps onto lines of its box');
    await handout.screenshot({ path: join(shots, 'polish-handout-open.png') });
    await handout.close();

    const md = await admin('GET', `/admin/scenario-runs/${runId}/handout?format=markdown`);
    for (const step of scenario.steps) assert.ok(md.text.includes(step.title), `the Markdown handout has "${step.title}"`);
  });
});
