// Newcomers' rough edges (issue #29), in a real browser against the real binary (harness.mjs):
// the Compare view hides cases that apply to none of its profiles, counts a check as differing
// only where two profiles ran it, keeps the others apart, and has a URL that a cell's trace
// comes back to; the trace list's directory toggle says what it hides; a profile diff has a
// URL and explains each changed parameter; what comparisons leave behind can be cleared.
//
// One bank and one signed-in page carry through the tests in order.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertNoOverlap, assertNotClipped, endSession, register, request, shots, signedInSession, VALID } from './harness.mjs';

/** The comparison the Compare tests run: three profiles, and cases of which three apply to none of them. */
const PROFILES = ['generic', 'generic-protected', 'ofb'];
const CASES = ['none', 'redirect_fragment', 'rs256', 'replayed_jti', 'tampered_ssa', 'qseal_as_qwac'];
const APPLY_TO_NONE = ['rs256', 'replayed_jti', 'qseal_as_qwac'];

/** The rule of `mockbank compare`, written again from the issue: a check differs when it ran
 * (not `absent`) in at least two of the profiles and those outcomes are not all the same. */
const ran = (check, profiles) => profiles.map((p) => check.outcomes[p] ?? 'absent').filter((o) => o !== 'absent');
const differs = (check, profiles) => ran(check, profiles).length >= 2 && new Set(ran(check, profiles)).size > 1;

describe('polish: compare, traces, profile diff, leftovers', () => {
  let session;
  let bank;
  let page;
  /** The matrix the server answered to the run of the Compare tests. */
  let matrix;
  /** The Compare view's URL once that matrix is shown. */
  let matrixUrl;
  /** `POST /admin/compare` requests the page made (runs and exports). */
  let compareRuns = 0;

  const admin = (method, path) =>
    request(bank, method, path, { headers: { authorization: `Bearer ${bank.token}` } }).then((r) => ({
      ...r,
      json: r.text ? JSON.parse(r.text) : null,
    }));
  const ids = (rows) => rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.checkId));
  const form = () => page.getByRole('form', { name: 'Comparison' });
  const ticked = (group) =>
    form()
      .getByRole('group', { name: group })
      .getByRole('checkbox')
      .evaluateAll((boxes) => boxes.filter((b) => b.checked).map((b) => b.value));

  before(async () => {
    session = await signedInSession();
    ({ bank, page } = session);
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/admin/compare') compareRuns++;
    });
  });

  after(() => endSession(session));

  test('compare: cases that apply to none of the profiles are counted, not shown as rows of n/a', async () => {
    await page.getByRole('link', { name: 'Compare', exact: true }).click();
    const pick = async (group, wanted) => {
      const boxes = form().getByRole('group', { name: group }).getByRole('checkbox');
      await boxes.first().waitFor();
      for (const box of await boxes.all()) await box.setChecked(wanted.includes(await box.getAttribute('value')));
    };
    await pick('Profiles', PROFILES);
    await pick('Cases', CASES);
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/admin/compare', { timeout: 60_000 }),
      page.getByTestId('compare-run').click(),
    ]);
    matrix = await answer.json();
    const table = page.getByTestId('compare-matrix');
    await table.waitFor({ timeout: 60_000 });

    // The server still answers every case; these three with n/a in every profile.
    const inapplicable = matrix.cases.filter((row) => PROFILES.every((p) => row.results[p].applicable === false)).map((row) => row.case);
    assert.deepEqual(inapplicable.sort(), [...APPLY_TO_NONE].sort(), 'the server answers them as n/a everywhere');
    const shownCases = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.case));
    assert.deepEqual(shownCases, ['none', 'redirect_fragment', 'tampered_ssa'], 'only the cases that apply to some profile are rows');
    assert.match(await page.locator('.section-title', { hasText: 'Cases' }).innerText(), /3 cases × 3 profiles/);
    const idle = page.getByTestId('compare-idle');
    assert.match(await idle.innerText(), /^3 cases apply to none of these profiles: /);
    assert.deepEqual((await idle.locator('code').allInnerTexts()).sort(), [...APPLY_TO_NONE].sort());
    assert.match(await idle.locator('code', { hasText: 'qseal_as_qwac' }).getAttribute('title'), /\S/, "a case's description is its tooltip");
    // tampered_ssa applies to ofb alone: its other cells stay n/a.
    assert.equal(await table.locator('tr[data-case="tampered_ssa"] td.cell-na').count(), 2);

    // The matrix has a URL of its own: the picks, in the order of the lists.
    matrixUrl = page.url();
    const hash = new URL(matrixUrl).hash;
    assert.equal(hash, `#/compare?profiles=${PROFILES.join(',')}&cases=${CASES.join(',')}`);
    await assertNotClipped(page.locator('.compare'), 'td, p', 'the matrix');
    await page.screenshot({ path: join(shots, 'compare-cases-apply-to-none.png'), fullPage: true });
  });

  test('compare: a check differs only where two profiles ran it; checks some profiles do not run are apart', async () => {
    const compared = matrix.checks.filter((c) => differs(c, PROFILES) || ran(c, PROFILES).length === PROFILES.length);
    const differing = matrix.checks.filter((c) => differs(c, PROFILES));
    const partial = matrix.checks.filter((c) => !compared.includes(c));
    const absentSomewhere = matrix.checks.filter((c) => ran(c, PROFILES).length < PROFILES.length);
    assert.ok(differing.length > 0, 'the profiles run some check with different outcomes');
    assert.ok(partial.length > 0, 'some checks run in only some of these profiles');
    assert.ok(differing.length < absentSomewhere.length, 'the old rule (absent counts) would have counted many more');

    const count = page.getByTestId('compare-checks-count');
    assert.equal(await count.innerText(), `${compared.length} checks, ${differing.length} differ`);
    const checks = page.getByTestId('compare-checks');
    const rows = checks.locator('tbody tr');
    assert.deepEqual((await ids(rows)).sort(), compared.map((c) => c.id).sort(), 'the main table: checks every profile ran, or that differ');
    assert.equal(await checks.locator('tbody tr.is-diff').count(), differing.length);

    // "Only differences" leaves exactly the differing checks.
    await page.getByLabel('Only differences').check();
    assert.deepEqual((await ids(rows)).sort(), differing.map((c) => c.id).sort());
    assert.equal(await checks.locator('tbody tr:not(.is-diff)').count(), 0);
    for (const c of differing) {
      const outcomes = await checks.locator(`tr[data-check-id="${c.id}"] td[data-profile]`).allInnerTexts();
      const shown = outcomes.map((o) => o.trim().toLowerCase()).filter((o) => o !== 'absent');
      assert.ok(shown.length >= 2 && new Set(shown).size > 1, `${c.id} ran in two profiles with different outcomes: ${outcomes}`);
    }
    await page.screenshot({ path: join(shots, 'compare-only-differences.png'), fullPage: true });
    await page.getByLabel('Only differences').uncheck();
    assert.equal(await rows.count(), compared.length);

    // The others: in their own section, folded.
    const summary = page.getByTestId('compare-partial-summary');
    assert.match(await summary.innerText(), new RegExp(`^${partial.length} checks run on only some of these profiles`));
    const partialTable = page.getByTestId('compare-partial');
    assert.equal(await partialTable.isVisible(), false, 'folded at first');
    await summary.click();
    await partialTable.waitFor();
    const partialRows = partialTable.locator('tbody tr');
    assert.deepEqual((await ids(partialRows)).sort(), partial.map((c) => c.id).sort());
    assert.equal(await partialTable.locator('tbody tr.is-diff').count(), 0, 'none of them differs');
    const withoutAbsent = await partialRows.evaluateAll((trs) => trs.filter((tr) => !tr.querySelector('.tag-absent')).map((tr) => tr.dataset.checkId));
    assert.deepEqual(withoutAbsent, [], 'each is absent in some profile');
    await summary.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'compare-partial-checks.png') });
    await summary.click();
  });

  test("compare: a cell's trace goes back to the same matrix, and the matrix URL ticks its picks", async () => {
    const runs = compareRuns;
    const table = page.getByTestId('compare-matrix');
    const cell = table.locator('[data-testid="compare-cell"][data-case="tampered_ssa"][data-profile="ofb"]');
    const cellText = await cell.innerText();
    await cell.click();
    const detail = page.getByTestId('trace-detail');
    await detail.waitFor();
    assert.match(new URL(page.url()).hash, /^#\/traces\/[^/?]+\?from=/);
    const back = detail.locator('a.back');
    assert.equal((await back.innerText()).trim(), '← Compare');
    assert.equal(await detail.locator('.detail-meta .tag').first().innerText(), 'ofb');
    await page.screenshot({ path: join(shots, 'trace-from-compare.png') });

    await back.click();
    await table.waitFor();
    assert.equal(page.url(), matrixUrl, 'the back link returns to the matrix URL');
    assert.equal(await cell.innerText(), cellText, 'the same matrix');
    assert.deepEqual(await ticked('Profiles'), PROFILES);
    assert.deepEqual(await ticked('Cases'), CASES);

    // The browser's Back does the same.
    await cell.click();
    await detail.waitFor();
    await page.goBack();
    await table.waitFor();
    assert.equal(page.url(), matrixUrl);
    assert.equal(compareRuns, runs, 'coming back ran nothing again');

    // The Compare tab shows the matrix, at its URL.
    await page.getByRole('link', { name: 'Traces', exact: true }).click();
    await page.locator('.trow[data-seq]').first().waitFor();
    await page.locator('.trow[data-seq]').first().click();
    await detail.waitFor();
    assert.equal((await detail.locator('a.back').innerText()).trim(), '← Traces', 'a trace opened from the list goes back to it');
    await page.getByRole('link', { name: 'Compare', exact: true }).click();
    await table.waitFor();
    await page.waitForURL(matrixUrl);

    // The URL alone, in a new tab: the picks are ticked, and nothing runs until asked.
    const fresh = await session.context.newPage();
    await fresh.goto(matrixUrl);
    const freshForm = fresh.getByRole('form', { name: 'Comparison' });
    await freshForm.getByRole('checkbox').first().waitFor();
    const freshTicked = (group) =>
      freshForm
        .getByRole('group', { name: group })
        .getByRole('checkbox')
        .evaluateAll((boxes) => boxes.filter((b) => b.checked).map((b) => b.value));
    assert.deepEqual(await freshTicked('Profiles'), PROFILES);
    assert.deepEqual(await freshTicked('Cases'), CASES);
    await fresh.getByText('Not run yet').waitFor();
    assert.equal(await fresh.getByTestId('compare-matrix').count(), 0, 'no run by opening a link');
    await fresh.screenshot({ path: join(shots, 'compare-link-opened.png') });
    await fresh.getByTestId('compare-run').click();
    await fresh.getByTestId('compare-matrix').waitFor({ timeout: 60_000 });
    const freshCases = await fresh.getByTestId('compare-matrix').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.case));
    assert.deepEqual(freshCases, ['none', 'redirect_fragment', 'tampered_ssa'], 'the same comparison');
    assert.equal(fresh.url(), matrixUrl, 'running it keeps its URL');
    await fresh.close();
  });

  test('traces: the toggle hides the UI\'s own directory reads, and says so; directory actions stay listed', async () => {
    // A directory action the user takes: minting a software in the Directory view (whose
    // lists are the UI's own reads, GET /directory/orgs and /directory/software).
    await page.getByRole('link', { name: 'Directory', exact: true }).click();
    const mint = page.getByRole('form', { name: 'Mint a software' });
    await mint.getByLabel('Organisation name').fill('Polish TPP Ltd');
    await mint.getByLabel('Software name').fill('polish app');
    await mint.getByRole('button', { name: 'EC (ES256)' }).click();
    await mint.getByRole('button', { name: 'Mint software' }).click();
    await page.getByTestId('mint-result').waitFor();
    const softwareId = (await page.getByTestId('minted-software-id').textContent()).trim();
    await page.locator(`tr[data-software-id="${softwareId}"]`).waitFor();

    await page.getByRole('link', { name: 'Traces', exact: true }).click();
    const rows = page.locator('.trow[data-seq]');
    await rows.first().waitFor();
    assert.equal(await page.getByLabel('Show directory listings').count(), 0, 'the old label, which promised to hide every directory trace, is gone');
    const toggle = page.getByLabel("Show the UI's own directory reads");
    assert.equal(await toggle.isChecked(), false, 'off by default');
    const label = page.locator('label', { has: toggle });
    assert.match(await label.getAttribute('title'), /Directory actions \(minting software, new statements, revocations\) are always listed/);

    // What the toggle hides, as the issue defines it: the directory's GETs but its keys.
    const isRead = (t) => t.profile === 'directory' && t.method === 'GET' && !t.path.includes('jwks') && t.path !== '/directory/ca.pem';
    const stored = (await admin('GET', '/admin/traces?limit=1000')).json;
    const reads = stored.filter(isRead);
    assert.ok(stored.length < 100, 'the first page of the list holds every trace, so its count can be compared');
    assert.ok(reads.length > 0, 'the Directory view read the directory');
    assert.ok(stored.some((t) => t.method === 'POST' && t.path === '/directory/software' && !isRead(t)), 'the mint is traced');
    const loaded = page.locator('.statusbar');
    const onScreen = () =>
      rows.evaluateAll((rs) =>
        rs.map((r) => ({
          profile: r.querySelector('.c-profile').textContent.trim(),
          method: r.querySelector('.c-method').textContent.trim(),
          path: r.querySelector('.c-path').textContent.trim(),
        })),
      );

    await loaded.getByText(new RegExp(`^${stored.length - reads.length} traces loaded`)).waitFor();
    const hidden = await onScreen();
    assert.deepEqual(hidden.filter(isRead), [], 'no directory read');
    assert.ok(hidden.some((t) => t.method === 'POST' && t.path === '/directory/software'), 'the mint is listed while the reads are hidden');
    await assertNoOverlap(label, page.getByTestId('export-json'), 'the toggle and the exports');
    await assertNotClipped(page.locator('.toolbar'), 'label', 'the toggle');
    await page.screenshot({ path: join(shots, 'traces-directory-reads-hidden.png') });

    await toggle.check();
    await loaded.getByText(new RegExp(`^${stored.length} traces loaded`)).waitFor();
    const shown = await onScreen();
    assert.ok(shown.some((t) => t.path === '/directory/orgs') && shown.some((t) => isRead(t) && t.path === '/directory/software'), 'the reads, when asked for');
    assert.ok(shown.some((t) => t.method === 'POST' && t.path === '/directory/software'), 'and the mint still');
    await toggle.uncheck();
    await loaded.getByText(new RegExp(`^${stored.length - reads.length} traces loaded`)).waitFor();
  });

  test('profile diff: it has a URL, and a changed parameter says what its value means', async () => {
    // Opened from its URL alone, in a new tab.
    const tab = await session.context.newPage();
    await tab.goto(`${bank.base}/ui/#/profiles/obuk-v3.2?diff=obuk-v3.2-lenient`);
    const diff = tab.getByTestId('profile-diff');
    await diff.waitFor();
    assert.equal(await diff.getAttribute('data-a'), 'obuk-v3.2');
    assert.equal(await diff.getAttribute('data-b'), 'obuk-v3.2-lenient');
    const compareWith = tab.locator('.profile[data-profile="obuk-v3.2"]').getByLabel('Compare with');
    assert.equal(await compareWith.inputValue(), 'obuk-v3.2-lenient');

    // ssa.validity: only the changed fields, the parameter with its documentation.
    const validity = diff.locator('[data-section="checks"] tbody[data-check-id="ssa.validity"]');
    await validity.waitFor();
    assert.deepEqual(
      await validity.locator('tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.field)),
      ['params.max_age_secs', 'params.future_skew_secs'],
      'the changed fields, and no others',
    );
    const maxAge = validity.locator('tr[data-field="params.max_age_secs"]');
    const cells = (await maxAge.locator('td').allInnerTexts()).map((t) => t.trim());
    assert.equal(cells.length, 4, 'the check (spanning its rows), the field, one value per profile');
    assert.match(cells[0], /ssa\.validity/);
    assert.match(cells[1], /^max_age_secs parameter\n/);
    assert.deepEqual(cells.slice(2), ['1800', '0']);
    assert.equal((await maxAge.getByTestId('field-doc').innerText()).trim(), 'Oldest acceptable SSA (0: any age).');
    // A check's own field is explained too; a switched-off check reads as such.
    const mtls = diff.locator('tbody[data-check-id="obuk.mtls.matches_ssa"] tr[data-field="severity"]');
    assert.deepEqual((await mtls.locator('td').allInnerTexts()).slice(-2).map((t) => t.trim()), ['error', 'warn']);
    assert.match(await mtls.getByTestId('field-doc').innerText(), /only reports/);
    const sameHost = diff.locator('tbody[data-check-id="obuk.uris.same_host"] tr[data-field="enabled"]');
    assert.deepEqual((await sameHost.locator('td').allInnerTexts()).slice(-2).map((t) => t.trim()), ['runs', 'off']);
    // A discovery value the settings already show is not repeated.
    const key = 'token_endpoint_auth_methods_supported';
    assert.equal(await diff.locator(`[data-section="settings"] tr[data-key="discovery.${key}"]`).count(), 1);
    assert.equal(await diff.locator(`[data-section="discovery"] tr[data-key="${key}"]`).count(), 0);
    await assertNotClipped(diff, 'td, th', "the diff's cells");
    await validity.scrollIntoViewIfNeeded();
    await tab.screenshot({ path: join(shots, 'profile-diff-explained.png') });

    // Picking another profile to compare with changes the URL; closing the diff leaves it.
    await compareWith.selectOption('ofb');
    await tab.waitForURL(/#\/profiles\/obuk-v3\.2\?diff=ofb$/);
    await tab.locator('[data-testid="profile-diff"][data-b="ofb"] [data-section="checks"]').waitFor();
    await diff.getByRole('button', { name: 'Close' }).click();
    await tab.waitForURL(/#\/profiles\/obuk-v3\.2$/);
    assert.equal(await diff.count(), 0);
    await tab.goBack();
    await tab.locator('[data-testid="profile-diff"][data-b="ofb"]').waitFor();
    await tab.close();
  });

  test("leftovers: what comparisons made is counted, offered after a run, and cleared from the Clients view", async () => {
    // A client of the user's own: clearing the leftovers must keep it.
    const own = await register(bank, 'generic', { ...VALID, client_name: 'mine' });
    assert.equal(own.status, 201);
    const ownId = JSON.parse(own.text).client_id;

    const leftoversNow = async () => (await admin('GET', '/admin/leftovers')).json;
    const labelOf = (n) => `Clear what comparisons and walkthroughs made (${n.clients} clients, ${n.software} software)`;
    const earlier = await leftoversNow();
    assert.ok(earlier.clients > 0, `the comparisons registered clients: ${JSON.stringify(earlier)}`);

    // The Compare view offers it, and counts what another run adds.
    await page.getByRole('link', { name: 'Compare', exact: true }).click();
    const offer = page.getByTestId('leftovers');
    await offer.getByRole('button', { name: labelOf(earlier) }).waitFor();
    assert.match(await offer.innerText(), /Each run registers real clients/);
    await page.getByTestId('compare-run').click();
    await page.getByTestId('compare-progress').waitFor({ state: 'detached', timeout: 60_000 });
    const counted = await leftoversNow();
    assert.ok(counted.clients > earlier.clients, 'the run registered more');
    const label = labelOf(counted);
    await offer.getByRole('button', { name: label }).waitFor();
    await offer.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'compare-leftovers.png') });

    await page.getByRole('link', { name: 'Clients', exact: true }).click();
    const clear = page.getByTestId('clear-leftovers');
    await page.getByRole('button', { name: label }).waitFor();
    const listed = page.locator('table.clients tbody tr.clickable');
    await listed.first().waitFor();
    const before = await listed.count();
    assert.equal(before, (await admin('GET', '/admin/clients')).json.length);
    await assertNoOverlap(clear, page.locator('.clients-view .toolbar > .muted.small'), 'the button and the count of clients');
    await assertNotClipped(page.locator('.clients-view .toolbar'), 'button', 'the toolbar');
    await page.screenshot({ path: join(shots, 'clients-leftovers.png') });

    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'DELETE' && new URL(r.url()).pathname === '/admin/leftovers'),
      clear.click(),
    ]);
    const cleared = await answer.json();
    assert.deepEqual(cleared, { clients_deleted: counted.clients, software_deleted: counted.software });
    await clear.waitFor({ state: 'detached' });
    await page.waitForFunction((n) => document.querySelectorAll('table.clients tbody tr.clickable').length === n, before - counted.clients);
    assert.match(await page.getByTestId('notice').last().innerText(), new RegExp(`^Deleted ${counted.clients} clients and ${counted.software} software`));
    const left = await leftoversNow();
    assert.deepEqual([left.clients, left.software], [0, 0], 'nothing is left over');
    const remaining = await listed.locator('td:first-child').allInnerTexts();
    assert.ok(remaining.includes(ownId), 'the own client stays');
    assert.deepEqual(
      remaining.sort(),
      (await admin('GET', '/admin/clients')).json.map((c) => c.client_id).sort(),
      'the list is what the server has now',
    );
    await page.screenshot({ path: join(shots, 'clients-leftovers-cleared.png') });
  });
});
