// The deliberate differences between mockbank's `generic` profile and the reference: each is
// a named parameter of one check, strict by default as real banks are, and documented in
// profiles/README.md. Switched to `lenient`, the difference disappears (differential.test.mjs).
export const DIFFERENCES = [
  {
    check: 'generic.redirect.scheme',
    param: 'allow_http',
    lenient: true,
    // OIDC-Reg §2 forbids http only for implicit clients; RFC 6749 §3.1.2.1: SHOULD use TLS.
    spec: 'RFC 6749 §3.1.2.1',
    bodies: ['http web redirect for the code flow'],
  },
  {
    check: 'generic.grant_response.consistent',
    param: 'inconsistent',
    lenient: 'repair',
    // RFC 7591 §2.1: the server MAY refuse an inconsistent pair; oidc-provider repairs it.
    spec: 'RFC 7591 §2.1',
    bodies: [
      'client credentials with default response type',
      'code response without authorization_code grant',
      'implicit grant with only code',
      'id_token response with authorization_code grant',
      'empty grant_types',
      'empty response_types with a code grant',
    ],
  },
  {
    check: 'generic.uris.valid',
    param: 'https_only',
    lenient: ['sector_identifier_uri', 'initiate_login_uri'],
    // OIDC-Reg §2 requires https of these two only; jwks_uri over http is mockbank's refusal.
    spec: 'OIDC-Reg §2',
    bodies: ['jwks_uri over http'],
  },
];

/** The id of the generic variant with one parameter switched to its lenient side. */
export const variantId = (d) => `generic-lenient-${d.param.replaceAll('_', '-')}`;

/** `generic.toml` with `param` of check `check` set to `value` (a TOML literal). */
export function withParam(toml, check, param, value) {
  const lines = toml.split('\n');
  const at = lines.findIndex((l) => l.trim() === `id = "${check}"`);
  if (at < 0) throw new Error(`generic.toml has no check ${check}`);
  const next = lines[at + 1] ?? '';
  const literal = JSON.stringify(value);
  if (next.startsWith('params = {')) {
    const re = new RegExp(`\\b${param} = (\\[[^\\]]*\\]|[^,}]+)`);
    const inner = next.slice('params = {'.length, -1).trim();
    const replaced = re.test(inner)
      ? inner.replace(re, `${param} = ${literal}`)
      : `${inner}${inner ? ', ' : ''}${param} = ${literal}`;
    lines[at + 1] = `params = { ${replaced} }`;
  } else {
    lines.splice(at + 1, 0, `params = { ${param} = ${literal} }`);
  }
  return lines.join('\n');
}
