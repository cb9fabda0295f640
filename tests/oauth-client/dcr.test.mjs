// A TPP's client built on openid-client finds mockbank through discovery, registers
// (RFC 7591), gets a client_credentials token, and manages its registration (RFC 7592).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as client from 'openid-client';

const ready = JSON.parse(process.env.MOCKBANK_READY);
const issuer = ready.profiles.find((p) => p.id === 'generic').issuer;
const adminToken = readFileSync(ready.admin_token_file, 'utf8').trim();

test('openid-client registers through discovery and uses the client', async () => {
  const config = await client.dynamicClientRegistration(
    new URL(issuer),
    {
      redirect_uris: ['https://tpp.example/cb'],
      grant_types: ['authorization_code', 'client_credentials'],
      response_types: ['code'],
      client_name: 'openid-client TPP',
      scope: 'accounts',
    },
    client.ClientSecretBasic(),
  );
  const server = config.serverMetadata();
  assert.equal(server.issuer, issuer);
  assert.equal(server.registration_endpoint, `${issuer}/register`);
  const metadata = config.clientMetadata();
  assert.ok(metadata.client_id);
  assert.ok(metadata.client_secret);
  assert.equal(metadata.token_endpoint_auth_method, 'client_secret_basic');

  const tokens = await client.clientCredentialsGrant(config, { scope: 'accounts' });
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  assert.ok(tokens.access_token);
  assert.equal(tokens.scope, 'accounts');

  // RFC 7592 read, update, delete with the registration access token
  const rat = metadata.registration_access_token;
  const uri = metadata.registration_client_uri;
  const read = await fetch(uri, { headers: { authorization: `Bearer ${rat}` } });
  assert.equal(read.status, 200);
  assert.equal((await read.json()).client_id, metadata.client_id);

  const update = await fetch(uri, {
    method: 'PUT',
    headers: { authorization: `Bearer ${rat}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      client_id: metadata.client_id,
      redirect_uris: ['https://tpp.example/cb2'],
      grant_types: ['client_credentials'],
      response_types: [],
    }),
  });
  assert.equal(update.status, 200);
  const updated = await update.json();
  assert.deepEqual(updated.redirect_uris, ['https://tpp.example/cb2']);
  const newRat = updated.registration_access_token;
  assert.notEqual(newRat, rat);

  const del = await fetch(uri, { method: 'DELETE', headers: { authorization: `Bearer ${newRat}` } });
  assert.equal(del.status, 204);

  // each request left a trace with its checks
  const traces = await (await fetch(`${ready.base_url}/admin/traces?limit=20&profile=generic`, {
    headers: { authorization: `Bearer ${adminToken}` },
  })).json();
  const registration = traces.find((t) => t.method === 'POST' && t.path === '/generic/register');
  assert.equal(registration.status, 201);
  assert.ok(registration.checks.some((c) => c.id === 'generic.redirect.no_fragment' && c.outcome === 'pass'));
});

test('openid-client surfaces mockbank refusals as RFC 7591 errors', async () => {
  await assert.rejects(
    client.dynamicClientRegistration(new URL(issuer), { redirect_uris: ['https://tpp.example/cb#frag'] }),
    (err) => err.error === 'invalid_redirect_uri' && err.status === 400,
  );
});
