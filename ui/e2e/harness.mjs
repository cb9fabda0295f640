// What every e2e file shares: the real `mockbank` binary (MOCKBANK_BIN) started on
// 127.0.0.1:0 with a fresh data dir, Debian's Chromium driven by playwright-core, and a TPP's
// requests made with node's https (mTLS and PS256 signing where a profile wants them).
//
//   MOCKBANK_BIN=…/mockbank npm run e2e      (CHROMIUM=… to use another Chromium)
//
// The binary serves the UI it embedded when it was built (ui/dist then). To test a newer
// build of ui/ without rebuilding the binary, MOCKBANK_UI_DIST=dist answers the page's
// script and style sheet from that directory instead (the page itself, with its bootstrap,
// still comes from the binary, which must have embedded some UI build).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { constants as cryptoConstants, randomUUID, sign } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
const here = dirname(fileURLToPath(import.meta.url));
export const shots = join(here, 'screenshots');
export const BIN = process.env.MOCKBANK_BIN;
export const UI_DIST = process.env.MOCKBANK_UI_DIST ? resolve(process.env.MOCKBANK_UI_DIST) : null;
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const VALID = {
  redirect_uris: ['https://tpp.example/cb'],
  client_name: 'e2e',
  grant_types: ['authorization_code', 'client_credentials'],
  response_types: ['code'],
};
export const FRAGMENT = { ...VALID, redirect_uris: ['https://tpp.example/cb#x'] };

export const now = () => performance.timeOrigin + performance.now();

/** Starts mockbank on a free port with a fresh data dir and reads its ready line. */
export async function startBank() {
  assert.ok(BIN, 'set MOCKBANK_BIN to the mockbank binary');
  const dataDir = mkdtempSync(join(tmpdir(), 'mockbank-e2e-'));
  const child = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
  });
  const line = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('mockbank printed no ready line within 30 s')), 30_000);
    createInterface({ input: child.stdout }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mockbank exited (${code}) before its ready line`));
    });
  });
  const ready = JSON.parse(line);
  return {
    child,
    ready,
    dataDir,
    base: ready.base_url,
    ca: readFileSync(ready.ca_cert),
    token: readFileSync(ready.admin_token_file, 'utf8').trim(),
  };
}

/** One HTTPS request on a fresh connection, trusting mockbank's CA; `at` is when it ended.
 * `cert` and `key` (PEM) present a client certificate (mTLS). */
export function request(bank, method, path, { headers = {}, body, cert, key } = {}) {
  return new Promise((resolve, reject) => {
    const options = { method, headers, ca: bank.ca, agent: false, ...(cert ? { cert, key } : {}) };
    const req = https.request(new URL(path, bank.base), options, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const at = now();
        resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString(), at });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export const register = (bank, profile, metadata) =>
  request(bank, 'POST', `/${profile}/register`, {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(metadata),
  });

export const b64url = (data) => Buffer.from(data).toString('base64url');
export const jwtClaims = (jws) => JSON.parse(Buffer.from(jws.split('.')[1], 'base64url').toString());

/** A compact JWS over `claims`, PS256 (RSA-PSS, SHA-256, salt 32) with a minted bundle's
 * signing key, as a TPP signs its registration request. */
export function signPs256(claims, bundle) {
  const input = `${b64url(JSON.stringify({ alg: 'PS256', kid: bundle.signing_kid, typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: bundle.signing_key_pem,
    padding: cryptoConstants.RSA_PKCS1_PSS_PADDING,
    saltLength: 32,
  });
  return `${input}.${signature.toString('base64url')}`;
}

/** An OBUK registration as a TPP sends it (tests/it/obuk.rs `Tpp::claims`): the bundle's
 * SSA in a request signed with its key, over mTLS with its transport certificate. */
export function registerObuk(bank, bundle, profile = 'obuk-v3.2') {
  const issuer = bank.ready.profiles.find((p) => p.id === profile).issuer;
  const ssa = jwtClaims(bundle.software_statement);
  const iat = Math.floor(Date.now() / 1000);
  const claims = {
    iss: bundle.software_id,
    aud: issuer,
    iat,
    exp: iat + 300,
    jti: randomUUID(),
    software_statement: bundle.software_statement,
    redirect_uris: [ssa.software_redirect_uris[0]],
    token_endpoint_auth_method: 'tls_client_auth',
    tls_client_auth_subject_dn: bundle.transport_subject_dn,
    // `code id_token` needs the authorization_code grant (RFC 7591 §2.1).
    grant_types: ['authorization_code', 'client_credentials'],
    response_types: ['code id_token'],
    scope: 'accounts',
    application_type: 'web',
    id_token_signed_response_alg: 'PS256',
    request_object_signing_alg: 'PS256',
  };
  return request(bank, 'POST', `/${profile}/register`, {
    headers: { 'content-type': 'application/jose' },
    body: signPs256(claims, bundle),
    cert: bundle.transport_cert_pem,
    key: bundle.transport_key_pem,
  });
}

/** With MOCKBANK_UI_DIST: the context's requests for /ui/assets/… are answered from that
 * build; an asset it does not have (the embedded build's content-hashed names) by its entry
 * script or style sheet. */
export async function serveUiDist(ctx, base) {
  if (!UI_DIST) return;
  const index = readFileSync(join(UI_DIST, 'index.html'), 'utf8');
  const entry = (re) => {
    const m = index.match(re);
    assert.ok(m, `${UI_DIST}/index.html names its ${re}`);
    return join(UI_DIST, m[1]);
  };
  const script = entry(/<script[^>]+src="\/ui\/(assets\/[^"]+\.js)"/);
  const style = entry(/<link[^>]+href="\/ui\/(assets\/[^"]+\.css)"/);
  await ctx.route(
    (url) => url.origin === base && url.pathname.startsWith('/ui/assets/'),
    async (route) => {
      const path = new URL(route.request().url()).pathname.slice('/ui/'.length);
      const own = join(UI_DIST, path);
      const file = existsSync(own) ? own : path.endsWith('.js') ? script : path.endsWith('.css') ? style : null;
      if (file) await route.fulfill({ path: file });
      else await route.continue();
    },
  );
}

export const percentile = (sorted, p) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];


/** A 1440×900 context that trusts mockbank's certificate (and serves MOCKBANK_UI_DIST). */
export async function newContext(browser, bank) {
  const ctx = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
  });
  await serveUiDist(ctx, bank.base);
  return ctx;
}

/** Chromium, headless, as the e2e files use it. */
export const launchBrowser = () => chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });

/** A fresh bank, a browser, and a page signed in through the ready line's one-time link. */
export async function signedInSession() {
  mkdirSync(shots, { recursive: true });
  const bank = await startBank();
  const browser = await launchBrowser();
  const context = await newContext(browser, bank);
  const page = await context.newPage();
  await page.goto(bank.ready.ui_url);
  await page.getByTestId('first-run').waitFor();
  return { bank, browser, context, page };
}

/** Closes the browser and stops the bank (SIGTERM, which must exit 0), removing its data dir. */
export async function endSession({ bank, browser }) {
  await browser?.close();
  if (bank) {
    const exited = new Promise((resolve) => bank.child.once('exit', resolve));
    bank.child.kill('SIGTERM');
    assert.equal(await exited, 0, 'mockbank exits 0 on SIGTERM');
    rmSync(bank.dataDir, { recursive: true, force: true });
  }
}

/** Layout assertions for screenshots: the boxes of `a` and `b` (locators) do not overlap. */
export async function assertNoOverlap(a, b, what) {
  const [ra, rb] = [await a.boundingBox(), await b.boundingBox()];
  assert.ok(ra && rb, `${what}: both are on screen`);
  const apart = ra.x + ra.width <= rb.x || rb.x + rb.width <= ra.x || ra.y + ra.height <= rb.y || rb.y + rb.height <= ra.y;
  assert.ok(apart, `${what}: ${JSON.stringify(ra)} overlaps ${JSON.stringify(rb)}`);
}

/** Layout assertions for screenshots: no element matched by `selector` under `root` (a
 * locator) has content wider or taller than its box and hidden (clipped, not scrollable). */
export async function assertNotClipped(root, selector, what) {
  const clipped = await root.evaluate((el, sel) => {
    const out = [];
    for (const e of el.querySelectorAll(sel)) {
      const s = getComputedStyle(e);
      const hidesX = s.overflowX === 'hidden' || s.overflowX === 'clip' || s.textOverflow === 'ellipsis';
      const hidesY = s.overflowY === 'hidden' || s.overflowY === 'clip';
      if ((hidesX && e.scrollWidth > e.clientWidth + 1) || (hidesY && e.scrollHeight > e.clientHeight + 1)) {
        out.push(`${e.tagName.toLowerCase()}.${e.className}: ${e.scrollWidth}×${e.scrollHeight} in ${e.clientWidth}×${e.clientHeight}`);
      }
    }
    return out;
  }, selector);
  assert.deepEqual(clipped, [], `${what}: nothing is clipped`);
}
