// Spec references ("RFC 6749 §3.1.2", "OIDC-Reg §2") as links to the documents.

const OPENID: Record<string, string> = {
  'OIDC-Reg': 'https://openid.net/specs/openid-connect-registration-1_0.html',
  'OIDC Core': 'https://openid.net/specs/openid-connect-core-1_0.html',
  'OIDC-Discovery': 'https://openid.net/specs/openid-connect-discovery-1_0.html',
};

export interface SpecRef {
  text: string;
  url: string | null;
}

/** Splits "RFC 7592 §2, RFC 6750 §2.1" into linked references. */
export function specRefs(spec: string): SpecRef[] {
  return spec
    .split(/,\s*/)
    .filter(Boolean)
    .map((text) => ({ text, url: specUrl(text) }));
}

function specUrl(ref: string): string | null {
  const rfc = /^RFC\s*(\d+)(?:\s*§\s*([\d.]+))?/i.exec(ref);
  if (rfc) {
    const section = rfc[2]?.replace(/\.$/, '');
    return `https://www.rfc-editor.org/rfc/rfc${rfc[1]}${section ? `#section-${section}` : ''}`;
  }
  for (const [name, url] of Object.entries(OPENID)) {
    if (ref.startsWith(name)) return url;
  }
  return null;
}
