// Registration bodies a TPP developer would try against a generic RFC 7591 bank: the
// ordinary ones, the common mistakes, and the corners where the specifications leave the
// server a choice. Every body is sent unchanged to mockbank and to the reference.
import { generateKeyPairSync } from 'node:crypto';

const cb = ['https://tpp.example/cb'];

export function corpus() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pub = { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', use: 'sig' };
  const ecPub = { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', use: 'sig' };
  const priv = { ...rsa.privateKey.export({ format: 'jwk' }), kid: 'rsa-1' };
  const jwks = { keys: [pub, ecPub] };
  const pkj = { redirect_uris: cb, token_endpoint_auth_method: 'private_key_jwt' };
  return [
    // --- ordinary registrations
    ['minimal web client', { redirect_uris: cb }],
    ['full web client', {
      redirect_uris: cb, client_name: 'TPP', client_uri: 'https://tpp.example',
      logo_uri: 'https://tpp.example/logo.png', tos_uri: 'https://tpp.example/tos',
      policy_uri: 'https://tpp.example/policy', contacts: ['ops@tpp.example'],
      scope: 'openid accounts', grant_types: ['authorization_code', 'refresh_token'],
    }],
    ['client credentials only', { grant_types: ['client_credentials'], response_types: [] }],
    ['code and client credentials', { redirect_uris: cb, grant_types: ['authorization_code', 'client_credentials'] }],
    ['two redirect URIs', { redirect_uris: [...cb, 'https://tpp.example/cb2'] }],
    ['public client (none)', { redirect_uris: cb, token_endpoint_auth_method: 'none' }],
    ['client_secret_post', { redirect_uris: cb, token_endpoint_auth_method: 'client_secret_post' }],
    ['unknown member is ignored', { redirect_uris: cb, tpp_colour: 'green' }],
    ['client-chosen client_id is ignored', { redirect_uris: cb, client_id: 'mine' }],
    ['hybrid code id_token', { redirect_uris: cb, grant_types: ['authorization_code', 'implicit'], response_types: ['code id_token'] }],
    ['implicit id_token', { redirect_uris: cb, grant_types: ['implicit'], response_types: ['id_token'] }],
    ['implicit id_token token (reordered)', { redirect_uris: cb, grant_types: ['implicit'], response_types: ['token id_token'] }],
    ['openid scope with offline_access', { redirect_uris: cb, scope: 'openid offline_access', grant_types: ['authorization_code', 'refresh_token'] }],
    ['default_max_age and require_auth_time', { redirect_uris: cb, default_max_age: 3600, require_auth_time: true }],
    // --- redirect URIs
    ['no redirect_uris for a code client', {}],
    ['empty redirect_uris', { redirect_uris: [] }],
    ['redirect_uris not an array', { redirect_uris: 'https://tpp.example/cb' }],
    ['redirect URI with a fragment', { redirect_uris: ['https://tpp.example/cb#x'] }],
    ['relative redirect URI', { redirect_uris: ['/cb'] }],
    ['http loopback web redirect', { redirect_uris: ['http://localhost:8080/cb'] }],
    ['http web redirect for the code flow', { redirect_uris: ['http://tpp.example/cb'] }],
    ['http web redirect for implicit', { redirect_uris: ['http://tpp.example/cb'], grant_types: ['implicit'], response_types: ['id_token'] }],
    ['implicit on localhost', { redirect_uris: ['https://localhost/cb'], grant_types: ['implicit'], response_types: ['id_token'] }],
    ['custom scheme on a web client', { redirect_uris: ['com.example.app:/cb'] }],
    ['native custom scheme', { application_type: 'native', redirect_uris: ['com.example.app:/cb'] }],
    ['native http loopback', { application_type: 'native', redirect_uris: ['http://127.0.0.1:7777/cb'] }],
    ['native http on a public host', { application_type: 'native', redirect_uris: ['http://tpp.example/cb'] }],
    ['native claimed https', { application_type: 'native', redirect_uris: cb }],
    ['native javascript: scheme', { application_type: 'native', redirect_uris: ['javascript:alert(1)'] }],
    ['one good, one bad redirect URI', { redirect_uris: [...cb, 'https://tpp.example/cb#frag'] }],
    // --- grant and response types
    ['unsupported grant type', { redirect_uris: cb, grant_types: ['password'] }],
    ['unsupported response type', { redirect_uris: cb, response_types: ['code nonsense'] }],
    ['grant_types not an array', { redirect_uris: cb, grant_types: 'authorization_code' }],
    ['client credentials with default response type', { grant_types: ['client_credentials'] }],
    ['code response without authorization_code grant', { redirect_uris: cb, grant_types: ['client_credentials'], response_types: ['code'] }],
    ['implicit grant with only code', { redirect_uris: cb, grant_types: ['authorization_code', 'implicit'], response_types: ['code'] }],
    ['code id_token without implicit grant', { redirect_uris: cb, grant_types: ['authorization_code'], response_types: ['code id_token'] }],
    ['id_token response with authorization_code grant', { redirect_uris: cb, grant_types: ['authorization_code'], response_types: ['id_token'] }],
    ['empty grant_types', { redirect_uris: cb, grant_types: [] }],
    ['empty response_types with a code grant', { redirect_uris: cb, response_types: [] }],
    // --- client authentication
    ['unknown auth method', { redirect_uris: cb, token_endpoint_auth_method: 'magic' }],
    ['private_key_jwt with jwks', { ...pkj, jwks }],
    ['private_key_jwt with jwks_uri', { ...pkj, jwks_uri: 'https://tpp.example/jwks.json' }],
    ['private_key_jwt without keys', pkj],
    ['private_key_jwt with RS256 assertions', { ...pkj, jwks, token_endpoint_auth_signing_alg: 'RS256' }],
    ['private_key_jwt with an HMAC alg', { ...pkj, jwks, token_endpoint_auth_signing_alg: 'HS256' }],
    ['client_secret_jwt', { redirect_uris: cb, token_endpoint_auth_method: 'client_secret_jwt' }],
    ['client_secret_jwt with HS256', { redirect_uris: cb, token_endpoint_auth_method: 'client_secret_jwt', token_endpoint_auth_signing_alg: 'HS256' }],
    ['client_secret_jwt with an RSA alg', { redirect_uris: cb, token_endpoint_auth_method: 'client_secret_jwt', token_endpoint_auth_signing_alg: 'PS256' }],
    ['auth signing alg none', { ...pkj, jwks, token_endpoint_auth_signing_alg: 'none' }],
    ['tls_client_auth (not offered)', { redirect_uris: cb, token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: 'CN=tpp' }],
    // --- keys
    ['jwks and jwks_uri together', { redirect_uris: cb, jwks, jwks_uri: 'https://tpp.example/jwks.json' }],
    ['jwks with a private key', { ...pkj, jwks: { keys: [priv] } }],
    ['jwks not a key set', { ...pkj, jwks: { foo: 1 } }],
    ['jwks_uri over http', { ...pkj, jwks_uri: 'http://tpp.example/jwks.json' }],
    ['jwks_uri not a URL', { ...pkj, jwks_uri: 'not a url' }],
    // --- algorithms
    ['unknown id_token alg', { redirect_uris: cb, id_token_signed_response_alg: 'XX256' }],
    ['supported id_token alg', { redirect_uris: cb, id_token_signed_response_alg: 'ES256' }],
    ['id_token alg none for a code client', { redirect_uris: cb, id_token_signed_response_alg: 'none' }],
    ['id_token alg none with an id_token response', { redirect_uris: cb, grant_types: ['implicit'], response_types: ['id_token'], id_token_signed_response_alg: 'none' }],
    ['unknown userinfo alg', { redirect_uris: cb, userinfo_signed_response_alg: 'XX256' }],
    ['unadvertised request object alg', { redirect_uris: cb, request_object_signing_alg: 'HS512' }],
    ['advertised request object alg', { redirect_uris: cb, request_object_signing_alg: 'PS256', jwks }],
    ['id_token encryption enc without alg', { redirect_uris: cb, id_token_encrypted_response_enc: 'A128CBC-HS256' }],
    // --- other members
    ['unsupported scope', { redirect_uris: cb, scope: 'openid wire_transfers' }],
    ['pairwise subject type', { redirect_uris: cb, subject_type: 'pairwise' }],
    ['unknown application type', { redirect_uris: cb, application_type: 'desktop' }],
    ['contacts not an array', { redirect_uris: cb, contacts: 'ops@tpp.example' }],
    ['contacts not email addresses', { redirect_uris: cb, contacts: ['not an email'] }],
    ['client_name not a string', { redirect_uris: cb, client_name: 42 }],
    ['logo_uri not a URL', { redirect_uris: cb, logo_uri: 'logo' }],
    ['client_uri mailto', { redirect_uris: cb, client_uri: 'mailto:ops@tpp.example' }],
    ['initiate_login_uri over http', { redirect_uris: cb, initiate_login_uri: 'http://tpp.example/login' }],
    ['default_max_age a string', { redirect_uris: cb, default_max_age: '3600' }],
    ['default_max_age negative', { redirect_uris: cb, default_max_age: -1 }],
    ['require_auth_time a string', { redirect_uris: cb, require_auth_time: 'yes' }],
    ['software_statement on an open bank', { redirect_uris: cb, software_statement: 'eyJhbGciOiJub25lIn0.e30.' }],
  ].map(([name, body]) => ({ name, body }));
}
