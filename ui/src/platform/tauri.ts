// Desktop host (Tauri v2): NOT IMPLEMENTED YET — a placeholder for the desktop shell
// (`src-tauri/`, issue 6), which will fill it in: `invoke()` commands for the list and read
// calls, and `listen('trace', …)` (or an `ipc::Channel`) fed by the same TraceBus that feeds
// the SSE stream. Until then every call fails loudly, and `index.ts` selects this host only
// inside a Tauri webview, never in a browser.
//
// This file is the only one allowed to import `@tauri-apps/*`.

import type { Platform } from './types';

/** True inside a Tauri webview (Tauri v2 injects this global). */
export function inTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

const missing = (what: string) => () =>
  Promise.reject(new Error(`${what}: the desktop host is not implemented yet (src-tauri)`));

export const tauri: Platform = {
  kind: 'tauri',
  bootstrap: () => null,
  signedIn: missing('signedIn'),
  signIn: missing('signIn'),
  signOut: missing('signOut'),
  listTraces: missing('listTraces'),
  getTrace: missing('getTrace'),
  onTrace: (_callback, handlers) => {
    handlers?.onStatus?.('offline');
    return () => {};
  },
  listProfiles: missing('listProfiles'),
  listClients: missing('listClients'),
};
