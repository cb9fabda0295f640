// Export traces as mockbank JSON (what the admin API returns) or as HAR 1.2, which browser
// dev tools and HTTP tools import; the checks ride along in the `_mockbank` extension.

import { platform } from '../platform';
import type { Trace } from '../types';
import { bodyText } from './curl';
import { reason } from './format';
import { notices } from './notices';
import { errorText } from './traces';

const header = (headers: [string, string][], name: string) =>
  headers.find(([n]) => n.toLowerCase() === name)?.[1];

const size = (text: string | null) => (text === null ? 0 : new TextEncoder().encode(text).length);

function harEntry(t: Trace, baseUrl: string) {
  const url = new URL(t.path, baseUrl);
  const requestBody = bodyText(t.request.body);
  const responseBody = bodyText(t.response.body);
  const ms = t.duration_us / 1000;
  return {
    startedDateTime: t.time,
    time: ms,
    request: {
      method: t.method,
      url: url.href,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: t.request.headers.map(([name, value]) => ({ name, value })),
      queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
      ...(requestBody !== null
        ? { postData: { mimeType: header(t.request.headers, 'content-type') ?? '', text: requestBody } }
        : {}),
      headersSize: -1,
      bodySize: size(requestBody),
    },
    response: {
      status: t.status,
      statusText: reason(t.status),
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: t.response.headers.map(([name, value]) => ({ name, value })),
      content: {
        size: size(responseBody),
        mimeType: header(t.response.headers, 'content-type') ?? '',
        text: responseBody ?? '',
      },
      redirectURL: header(t.response.headers, 'location') ?? '',
      headersSize: -1,
      bodySize: size(responseBody),
    },
    cache: {},
    timings: { send: 0, wait: ms, receive: 0 },
    _mockbank: {
      id: t.id,
      seq: t.seq,
      profile: t.profile,
      client_id: t.client_id,
      client_cert: t.client_cert,
      summary: t.summary,
      failed_check: t.failed_check,
      checks: t.checks,
      jwts: { request: t.request.jwts ?? [], response: t.response.jwts ?? [] },
    },
  };
}

export function toHar(traces: Trace[], baseUrl: string, version: string) {
  return {
    log: {
      version: '1.2',
      creator: { name: 'mockbank', version },
      entries: [...traces].sort((a, b) => a.seq - b.seq).map((t) => harEntry(t, baseUrl)),
    },
  };
}

/** Saves `data` as pretty JSON through the host, and says where it went. */
export function download(filename: string, data: unknown, type = 'application/json'): Promise<void> {
  return downloadText(filename, JSON.stringify(data, null, 2), type);
}

export async function downloadText(filename: string, text: string, type = 'text/plain'): Promise<void> {
  try {
    const path = await platform.saveFile(filename, text, type);
    if (path) notices.say(`Saved ${path}`);
  } catch (e) {
    notices.say(`Could not save ${filename}: ${errorText(e)}`, true);
  }
}

export function exportTraces(traces: Trace[], format: 'json' | 'har', baseUrl: string, version: string): Promise<void> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const name = traces.length === 1 ? `mockbank-trace-${traces[0].id}` : `mockbank-traces-${stamp}`;
  if (format === 'har') return download(`${name}.har`, toHar(traces, baseUrl, version));
  return download(`${name}.json`, traces.length === 1 ? traces[0] : traces);
}
