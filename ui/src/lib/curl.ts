// "Copy as curl": the recorded request as a command that replays it. Secrets that mockbank
// redacted in the trace stay redacted (shown as REDACTED), so such a replay fails until
// they are filled in.

import type { Trace } from '../types';

const SKIPPED = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'accept-encoding', 'keep-alive']);

export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function bodyText(body: unknown): string | null {
  if (body === null || body === undefined) return null;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

const unredact = (v: string) => v.replace(/\S*…\(redacted\)/g, 'REDACTED');

export function toCurl(trace: Trace, baseUrl: string): string {
  const lines = ['curl --cacert ca.pem'];
  if (trace.client_cert) lines.push('--cert client.pem --key client-key.pem');
  const body = bodyText(trace.request.body);
  const impliedMethod = body === null ? 'GET' : 'POST';
  if (trace.method !== impliedMethod) lines.push(`-X ${trace.method}`);
  for (const [name, value] of trace.request.headers) {
    if (SKIPPED.has(name.toLowerCase())) continue;
    lines.push(`-H ${shellQuote(`${name}: ${unredact(value)}`)}`);
  }
  if (body !== null) lines.push(`--data-raw ${shellQuote(unredact(body))}`);
  lines.push(shellQuote(baseUrl + trace.path));
  return lines.join(' \\\n  ');
}
