// Desktop host (Tauri v2): the window loads this bundled UI at tauri://localhost/ui/ and
// the mockbank server runs inside the same process (`src-tauri/`). Reads are Tauri
// commands answered from the server's store, in the admin API's JSON shapes; live traces
// are `trace` events fed by the same trace bus as the browser's SSE stream, a burst
// arriving as one event (an array, oldest first). There is no sign-in: the window is the
// server's own. Everything else (writes, the directory) goes through `admin_request`,
// which runs the admin HTTP API in-process and answers its status and JSON body.
//
// This file is the only one allowed to import `@tauri-apps/*`.

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { Bootstrap, Client, Profile, Trace } from '../types';
import { adminApi, refusal as refusalOf, type HttpMethod } from './api';
import { installProbe } from './probe';
import { ApiError, type Platform, type StreamHandlers, type TraceQuery } from './types';

/** What `src-tauri` knows about its server (`ServerInfo`), injected before this script. */
interface DesktopInfo {
  base_url: string;
  ca_cert: string;
  data_dir: string;
  admin_token_file: string;
  bootstrap: Bootstrap;
  /** Started with MOCKBANK_DESKTOP_PROBE=1: report when trace rows are drawn. */
  probe?: boolean;
}

declare global {
  interface Window {
    __MOCKBANK_DESKTOP__?: DesktopInfo;
  }
}

/** True inside a Tauri webview (Tauri v2 injects this global). */
export function inTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

/** Commands fail with `{status, message}` (src-tauri `Refusal`); Tauri itself with text. */
function refusal(e: unknown): ApiError {
  if (e && typeof e === 'object' && 'message' in e) {
    const { status, message } = e as { status?: unknown; message?: unknown };
    return new ApiError(typeof status === 'number' ? status : 500, String(message));
  }
  return new ApiError(500, String(e));
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw refusal(e);
  }
}

/** The answer of `admin_request`: a refusal is a status, not an exception. */
interface AdminAnswer {
  status: number;
  body: unknown;
}

async function request<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
  const answer = await call<AdminAnswer>('admin_request', { method, path, body: body ?? null });
  if (answer.status >= 400) throw refusalOf(answer.status, answer.body, `${method} ${path} answered ${answer.status}`);
  return (answer.body ?? undefined) as T;
}

function onTrace(callback: (trace: Trace) => void, handlers: StreamHandlers = {}): () => void {
  let stopped = false;
  let unlisten: UnlistenFn[] = [];
  handlers.onStatus?.('connecting');
  Promise.all([
    listen<Trace[]>('trace', (event) => {
      for (const trace of event.payload) callback(trace);
    }),
    listen<number>('trace-resync', () => handlers.onResync?.()),
  ]).then(
    (fns) => {
      if (stopped) {
        for (const f of fns) f();
        return;
      }
      unlisten = fns;
      handlers.onStatus?.('live');
      // A trace stored while the listeners were being set up reached no one: refetch.
      handlers.onResync?.();
    },
    () => handlers.onStatus?.('offline'),
  );
  return () => {
    stopped = true;
    for (const f of unlisten) f();
  };
}

export const tauri: Platform = {
  kind: 'tauri',
  bootstrap: () => window.__MOCKBANK_DESKTOP__?.bootstrap ?? null,
  // The window belongs to the server: always signed in, nothing to sign out of.
  signedIn: () => Promise.resolve(true),
  signIn: () => Promise.resolve(true),
  signOut: () => Promise.resolve(),
  listTraces: (query: TraceQuery) => call<Trace[]>('list_traces', { query }),
  getTrace: (id: string) => call<Trace>('get_trace', { id }),
  onTrace,
  listProfiles: () => call<Profile[]>('list_profiles'),
  listClients: (profile?: string) => call<Client[]>('list_clients', { profile: profile ?? null }),
  request,
  // WebKitGTK ignores `<a download>` on blobs: the app writes the file (src-tauri save.rs).
  saveFile: (name: string, text: string) => call<string>('save_file', { name, contents: text }),
  ...adminApi(request),
  desktop: {
    caFile: window.__MOCKBANK_DESKTOP__?.ca_cert ?? '',
    copyCa: () => call<string>('copy_ca'),
    openDataFolder: () => call<string>('open_data_folder'),
  },
};

if (inTauri() && window.__MOCKBANK_DESKTOP__?.probe === true) {
  installProbe((seq, frameMs) => {
    invoke('probe_report', { seq, frameMs }).catch(() => undefined);
  });
}
