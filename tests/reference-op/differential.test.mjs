// The differential test: every body of corpus.mjs goes to mockbank's `generic` profile and to
// the reference provider, and the verdicts (201, or the status and `error` code) must agree,
// except for the differences of differences.mjs. Each of those must appear on `generic`
// (strict by default) and disappear on the variant with its parameter switched to lenient.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { corpus } from './corpus.mjs';
import { DIFFERENCES, variantId } from './differences.mjs';
import { startReference } from './op.mjs';

const ready = JSON.parse(process.env.MOCKBANK_READY);
const issuerOf = (id) => ready.profiles.find((p) => p.id === id).issuer;
const bodies = corpus();
let reference;
let expected;

async function verdict(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status === 201) return '201';
  let error;
  try {
    error = JSON.parse(text).error;
  } catch {
    error = `(not JSON: ${text.slice(0, 80)})`;
  }
  return `${res.status} ${error}`;
}

async function verdicts(registrationEndpoint) {
  const out = new Map();
  for (const { name, body } of bodies) out.set(name, await verdict(registrationEndpoint, body));
  return out;
}

async function mockbankVerdicts(profile) {
  const discovery = await (await fetch(`${issuerOf(profile)}/.well-known/openid-configuration`)).json();
  return verdicts(discovery.registration_endpoint);
}

before(async () => {
  const discovery = await (await fetch(`${issuerOf('generic')}/.well-known/openid-configuration`)).json();
  reference = await startReference(discovery);
  expected = await verdicts(reference.registrationEndpoint);
});

after(async () => reference?.close());

const explained = new Map(DIFFERENCES.flatMap((d) => d.bodies.map((b) => [b, d])));

test('the corpus is large enough and every listed difference names a body of it', () => {
  assert.ok(bodies.length >= 50, `${bodies.length} bodies`);
  const names = new Set(bodies.map((b) => b.name));
  for (const name of explained.keys()) assert.ok(names.has(name), `unknown body ${name}`);
});

test('generic agrees with the reference except where a documented parameter says otherwise', async () => {
  const got = await mockbankVerdicts('generic');
  const report = [];
  for (const { name } of bodies) {
    const d = explained.get(name);
    const same = got.get(name) === expected.get(name);
    if (d && same) report.push(`${name}: listed as a difference (${d.check}.${d.param}) but both say ${got.get(name)}`);
    if (!d && !same) report.push(`${name}: mockbank ${got.get(name)}, reference ${expected.get(name)}`);
  }
  const identical = bodies.filter(({ name }) => got.get(name) === expected.get(name)).length;
  console.log(`generic vs oidc-provider: ${identical}/${bodies.length} identical verdicts, ${explained.size} documented differences`);
  assert.deepEqual(report, []);
});

for (const d of DIFFERENCES) {
  test(`${d.check} ${d.param} = ${JSON.stringify(d.lenient)} removes its differences`, async () => {
    const got = await mockbankVerdicts(variantId(d));
    const report = [];
    for (const { name } of bodies) {
      const other = explained.get(name);
      const same = got.get(name) === expected.get(name);
      if ((other === undefined || other === d) && !same) {
        report.push(`${name}: mockbank ${got.get(name)}, reference ${expected.get(name)}`);
      }
    }
    assert.deepEqual(report, []);
  });
}
