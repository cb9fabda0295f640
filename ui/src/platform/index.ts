// The one place that decides which host the UI runs in. Views use `platform` and never
// `fetch`, `EventSource` or `@tauri-apps/*` directly (ARCHITECTURE §6.5).

import { browser } from './browser';
import { inTauri, tauri } from './tauri';
import type { Platform } from './types';

export const platform: Platform = inTauri() ? tauri : browser;

export { ApiError, SignedOutError } from './types';
export type { DesktopActions, Platform, StreamStatus, TraceQuery } from './types';
