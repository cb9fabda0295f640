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

/** A ten-line overlay on `generic` with one parameter switched (profiles/README.md, `extends`). */
export function lenientOverlay(d) {
  return [
    'extends = "generic"',
    `title = "generic with ${d.check} ${d.param} lenient"`,
    '',
    '[[check]]',
    `id = "${d.check}"`,
    `params = { ${d.param} = ${JSON.stringify(d.lenient)} }`,
    '',
  ].join('\n');
}
