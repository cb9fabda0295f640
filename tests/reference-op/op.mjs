// The reference: panva's oidc-provider (OpenID Certified), configured to advertise what
// mockbank's `generic` profile advertises in its discovery document, with registration,
// registration management and client credentials enabled. Listens on 127.0.0.1 only.
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { consoleWarn } from './quiet-runtime-warning.mjs';
import Provider from 'oidc-provider';

console.warn = consoleWarn;

/** Builds oidc-provider's configuration from mockbank's generic discovery document. */
export function configFrom(discovery) {
  const jwk = (key) => ({ ...key.export({ format: 'jwk' }), use: 'sig' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const list = (k) => discovery[k] ?? [];
  return {
    jwks: { keys: [jwk(rsa), jwk(ec)] },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true },
      registrationManagement: { enabled: true, rotateRegistrationAccessToken: true },
      clientCredentials: { enabled: true },
      // Encryption and request objects on, so that their members are judged against the
      // advertised lists (oidc-provider ignores the members of a feature that is off).
      encryption: { enabled: true },
      requestObjects: { enabled: true },
    },
    // oidc-provider cannot serve a bare `token` response type (OAuth 2.0 implicit without
    // OpenID); the corpus does not use it.
    responseTypes: [...list('response_types_supported').filter((t) => t !== 'token'), 'none'],
    scopes: list('scopes_supported'),
    subjectTypes: list('subject_types_supported'),
    clientAuthMethods: list('token_endpoint_auth_methods_supported'),
    enabledJWA: {
      idTokenSigningAlgValues: list('id_token_signing_alg_values_supported'),
      userinfoSigningAlgValues: list('userinfo_signing_alg_values_supported'),
      requestObjectSigningAlgValues: list('request_object_signing_alg_values_supported'),
      clientAuthSigningAlgValues: list('token_endpoint_auth_signing_alg_values_supported'),
      idTokenEncryptionAlgValues: list('id_token_encryption_alg_values_supported'),
      idTokenEncryptionEncValues: list('id_token_encryption_enc_values_supported'),
      userinfoEncryptionAlgValues: list('userinfo_encryption_alg_values_supported'),
      userinfoEncryptionEncValues: list('userinfo_encryption_enc_values_supported'),
      requestObjectEncryptionAlgValues: list('request_object_encryption_alg_values_supported'),
      requestObjectEncryptionEncValues: list('request_object_encryption_enc_values_supported'),
    },
  };
}

/** Starts the reference provider on an ephemeral loopback port. */
export async function startReference(discovery) {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const provider = new Provider(`http://127.0.0.1:${port}`, configFrom(discovery));
  provider.on('server_error', (_ctx, err) => console.error('oidc-provider server_error', err));
  server.on('request', provider.callback());
  return {
    registrationEndpoint: `http://127.0.0.1:${port}/reg`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
