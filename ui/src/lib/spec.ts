// Spec references ("RFC 6749 §3.1.2", "OBIE DCR v3.2 §3.1", "generic.md §12") as links to
// the documents. The table is mockbank-core's (`spec.rs`), generated into
// generated/spec-sources.json and kept equal to it by a Rust test.

import table from '../generated/spec-sources.json';

export interface SpecRef {
  text: string;
  url: string | null;
}

const SOURCES = table.sources as [string, string][];
const REPOSITORY_DOCS = table.repository_docs as Record<string, string>;

/** Splits "RFC 7592 §2, RFC 6750 §2.1" into linked references; a bare "§3.1.1" continues
 * the source before it ("RFC 7591 §2.3, §3.1.1"). */
export function specRefs(spec: string): SpecRef[] {
  let source = '';
  return spec
    .split(/,\s*/)
    .map((text) => text.trim())
    .filter(Boolean)
    .map((text) => {
      let full = text;
      if (text.startsWith('§')) full = `${source} ${text}`;
      else source = text.split('§')[0].trim();
      return { text, url: specUrl(full) };
    });
}

export function specUrl(ref: string): string | null {
  const rfc = /^RFC\s*(\d+)(?:\s*§\s*([\d.]+))?/i.exec(ref);
  if (rfc) {
    const section = rfc[2]?.replace(/\.$/, '');
    return `https://www.rfc-editor.org/rfc/rfc${rfc[1]}${section ? `#section-${section}` : ''}`;
  }
  for (const [doc, url] of Object.entries(REPOSITORY_DOCS)) {
    if (ref.startsWith(doc)) return url;
  }
  let best: [string, string] | null = null;
  for (const source of SOURCES) {
    if (ref.startsWith(source[0]) && (!best || source[0].length > best[0].length)) best = source;
  }
  return best ? best[1] : null;
}
