// What the UI needs from its host, whichever it is (a browser tab served by mockbank, or
// the Tauri desktop window). Views import `platform` from `./index` and nothing else here.

import type { Bootstrap, Client, Profile, Trace } from '../types';
import type { AdminApi, HttpMethod } from './api';

/** `GET /admin/traces` parameters: newest first; `before` pages to older traces. */
export interface TraceQuery {
  limit?: number;
  before?: number;
  profile?: string;
  client_id?: string;
  outcome?: 'pass' | 'fail';
  q?: string;
  /** `directory_reads`: leaves out the UI's own reads of the directory (see `isDirectoryRead`). */
  hide?: 'directory_reads';
}

/** The live feed: `live` once connected, `signed-out` when the session is gone. */
export type StreamStatus = 'connecting' | 'live' | 'offline' | 'signed-out';

export interface StreamHandlers {
  onStatus?: (status: StreamStatus) => void;
  /** Traces may have been missed (the feed fell behind or reconnected blind): refetch. */
  onResync?: () => void;
}

/** The typed calls of `./api` come with every host; `request` is what each host provides. */
export interface Platform extends AdminApi {
  readonly kind: 'browser' | 'tauri';
  /** Public facts about the server, known before signing in (null when unknown). */
  bootstrap(): Bootstrap | null;
  /** Whether the admin API answers this UI (false: it must sign in first). */
  signedIn(): Promise<boolean>;
  /** Signs in with the admin token; false when the token is wrong. */
  signIn(token: string): Promise<boolean>;
  signOut(): Promise<void>;
  listTraces(query: TraceQuery): Promise<Trace[]>;
  getTrace(id: string): Promise<Trace>;
  /** Every trace stored from now on, in order; returns the unsubscribe function. */
  onTrace(callback: (trace: Trace) => void, handlers?: StreamHandlers): () => void;
  listProfiles(): Promise<Profile[]>;
  listClients(profile?: string): Promise<Client[]>;
  /** Any admin or directory API call: the parsed JSON answer; throws on a refusal. */
  request<T>(method: HttpMethod, path: string, body?: unknown): Promise<T>;
  /**
   * Hands a file to the user (an export, a bundle): the browser's download, or a file in the
   * desktop's Downloads folder. Resolves to where it was saved, when the host knows.
   */
  saveFile(name: string, text: string, type: string): Promise<string | null>;
  /** What only the desktop app can do; absent in a browser tab. */
  readonly desktop?: DesktopActions;
}

/** The desktop app's own actions on the server it runs. */
export interface DesktopActions {
  /** The CA certificate file (`ca_cert` of the ready line). */
  readonly caFile: string;
  /** Puts the CA certificate (PEM) on the clipboard; resolves to the file it came from. */
  copyCa(): Promise<string>;
  /** Opens the data folder (database, CA, admin token) in the file manager. */
  openDataFolder(): Promise<string>;
}

/** The admin API refused: the UI has no (or no longer a) session. */
export class SignedOutError extends Error {
  constructor() {
    super('not signed in');
    this.name = 'SignedOutError';
  }
}

/** Any other refusal, with the server's `error_description` when it gave one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
