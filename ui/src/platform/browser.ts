// Browser host: the page is served by mockbank itself, so the admin API is same-origin and
// the session is the `mockbank_admin` cookie (HttpOnly: this code never sees the token)
// that `/ui/login` or the ready line's one-time link set.

import type { Bootstrap, Client, Profile, Trace } from '../types';
import { adminApi, refusal, type HttpMethod } from './api';
import { SseParser } from './sse';
import { SignedOutError, type Platform, type StreamHandlers, type TraceQuery } from './types';

const credentials: RequestCredentials = 'same-origin';

async function refused(r: Response): Promise<Error> {
  let body: unknown = null;
  try {
    body = await r.json();
  } catch {
    // not JSON: the status line will do
  }
  return refusal(r.status, body, `${r.status} ${r.statusText}`);
}

/** Same-origin, with the session cookie; JSON both ways (a non-JSON answer as its text). */
async function request<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(path, {
    method,
    credentials,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  if (!r.ok) throw await refused(r);
  const text = await r.text();
  if (!text) return undefined as T;
  // A file the server renders (a handout: text/html, text/markdown) is answered as text.
  const type = r.headers.get('content-type') ?? '';
  if (type && !/json/i.test(type)) return text as T;
  return JSON.parse(text) as T;
}

const get = <T>(path: string) => request<T>('GET', path);

function search(query: TraceQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

let cachedBootstrap: Bootstrap | null | undefined;

function readBootstrap(): Bootstrap | null {
  if (cachedBootstrap === undefined) {
    const el = document.getElementById('mockbank-bootstrap');
    try {
      cachedBootstrap = el?.textContent ? (JSON.parse(el.textContent) as Bootstrap | null) : null;
    } catch {
      cachedBootstrap = null;
    }
  }
  return cachedBootstrap;
}

/** Reconnect delays: quick at first, then at most every 10 s. */
const backoff = (attempt: number) => Math.min(10_000, 250 * 2 ** Math.min(attempt, 6));

function onTrace(callback: (trace: Trace) => void, handlers: StreamHandlers = {}): () => void {
  let stopped = false;
  let lastId: string | null = null;
  let attempt = 0;
  let controller: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const parser = new SseParser((ev) => {
    if (ev.id !== null) lastId = ev.id;
    if (ev.event === 'trace') {
      let trace: Trace;
      try {
        trace = JSON.parse(ev.data) as Trace;
      } catch {
        return;
      }
      callback(trace);
    } else if (ev.event === 'resync') {
      handlers.onResync?.();
    }
  });

  const connect = async () => {
    controller = new AbortController();
    handlers.onStatus?.('connecting');
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    // The server replays what was stored after this id, then goes live.
    if (lastId !== null) headers['last-event-id'] = lastId;
    try {
      const r = await fetch('/admin/traces/stream', { credentials, headers, signal: controller.signal, cache: 'no-store' });
      if (r.status === 401) {
        handlers.onStatus?.('signed-out');
        return;
      }
      if (!r.ok || !r.body) throw new Error(`the trace stream answered ${r.status}`);
      // Reconnected without an id to resume from: whatever came meanwhile must be refetched.
      if (attempt > 0 && lastId === null) handlers.onResync?.();
      attempt = 0;
      handlers.onStatus?.('live');
      const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(value);
      }
    } catch {
      // network error or abort: handled below
    }
    if (stopped) return;
    handlers.onStatus?.('offline');
    timer = setTimeout(connect, backoff(attempt++));
  };
  void connect();

  return () => {
    stopped = true;
    clearTimeout(timer);
    controller?.abort();
  };
}

async function post(path: string, body?: URLSearchParams): Promise<Response> {
  return fetch(path, { method: 'POST', credentials, body, cache: 'no-store' });
}

/** A download through a blob link; the browser decides where the file goes. */
function saveFile(name: string, text: string, type: string): Promise<string | null> {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return Promise.resolve(null);
}

export const browser: Platform = {
  kind: 'browser',
  bootstrap: readBootstrap,
  async signedIn() {
    try {
      await get<Trace[]>('/admin/traces?limit=1');
      return true;
    } catch (e) {
      if (e instanceof SignedOutError) return false;
      throw e;
    }
  },
  async signIn(token) {
    const r = await post('/ui/login', new URLSearchParams({ token }));
    if (r.status === 401) return false;
    if (!r.ok) throw await refused(r);
    return true;
  },
  async signOut() {
    const r = await post('/ui/logout');
    if (!r.ok) throw await refused(r);
  },
  listTraces: (query) => get<Trace[]>(`/admin/traces${search(query)}`),
  getTrace: (id) => get<Trace>(`/admin/traces/${encodeURIComponent(id)}`),
  onTrace,
  listProfiles: () => get<Profile[]>('/admin/profiles'),
  listClients: (profile) => get<Client[]>(`/admin/clients${profile ? `?profile=${encodeURIComponent(profile)}` : ''}`),
  request,
  saveFile,
  ...adminApi(request),
};
