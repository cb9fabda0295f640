// Minimal panva/oidc-provider (v9) server used as the comparison target of
// benches/registration.sh. It is copied next to a temporary `node_modules`
// (ESM resolves bare imports relative to the importing file, not the cwd).
//
// - plain HTTP on 127.0.0.1, on a port chosen by the OS;
// - open dynamic client registration (no initial access token), plus
//   registration management, on the default route `/reg`;
// - the default in-memory adapter (nothing is persisted to disk);
// - a freshly generated RSA signing key, so the default
//   id_token_signed_response_alg (RS256) works without oidc-provider's
//   built-in development keystore.
//
// When listening it prints exactly one JSON line on stdout:
//   {"event":"ready","base_url":"http://127.0.0.1:PORT","registration_endpoint":"..."}
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bench-rs256', use: 'sig', alg: 'RS256' };

const configuration = {
  clients: [],
  jwks: { keys: [jwk] },
  features: {
    registration: { enabled: true, initialAccessToken: false },
    registrationManagement: { enabled: true },
    devInteractions: { enabled: false },
  },
};

// Listen first on port 0, then build the provider with the real issuer URL,
// so there is no race between picking a free port and binding it.
let handler = (_req, res) => {
  res.statusCode = 503;
  res.end();
};
const server = http.createServer((req, res) => handler(req, res));
server.keepAliveTimeout = 65_000;

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const baseUrl = `http://127.0.0.1:${port}`;
  const provider = new Provider(baseUrl, configuration);
  handler = provider.callback();
  process.stdout.write(`${JSON.stringify({
    event: 'ready',
    base_url: baseUrl,
    registration_endpoint: `${baseUrl}/reg`,
  })}\n`);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
