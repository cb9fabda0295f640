// The trace list's state, kept outside the views so that opening a trace and coming back
// keeps the filters, the loaded pages and the scroll position. Pages come from
// `listTraces` (newest first, `before` for older ones); new traces come from the live
// feed and are added at the top when they match the filters. The UI's own reads of the
// directory are left out unless the user asks for them (`showDirectoryReads`).

import { platform, SignedOutError, type StreamStatus, type TraceQuery } from '../platform';
import type { Trace, TraceRow } from '../types';
import { Observable } from './observable';

export interface Filters {
  profile: string;
  outcome: '' | 'pass' | 'fail';
  client_id: string;
  q: string;
}

export const noFilters: Filters = { profile: '', outcome: '', client_id: '', q: '' };

/** Traces per request: enough to fill a tall screen several times over (the first page is
 * smaller: it is what the user waits for). */
const PAGE = 200;
const FIRST_PAGE = 100;
/** Full traces kept for instant opening (the list itself keeps only summaries). */
const CACHE = 500;
/** The most the export of a filtered view fetches (the API's page limit). */
export const EXPORT_MAX = 1000;

function toRow(t: Trace): TraceRow {
  return {
    seq: t.seq,
    id: t.id,
    time: t.time,
    time_ms: t.time_ms,
    profile: t.profile,
    method: t.method,
    path: t.path,
    status: t.status,
    client_id: t.client_id,
    client_cert: t.client_cert,
    summary: t.summary,
    failed_check: t.failed_check,
    duration_us: t.duration_us,
  };
}

/**
 * Whether a trace is one of the directory listings the UI itself reads (GET
 * `/directory/orgs`, `/directory/software[/{id}[/bundle]]`, `/directory/variants`): a GET of
 * the `directory` area other than the JWKS and the CA certificate, which TPPs and banks
 * fetch. The server's equivalent is `hide=directory_reads` in `GET /admin/traces` (a filter
 * in SQL, so that paging stays right): the two must agree.
 */
export function isDirectoryRead(t: Pick<TraceRow, 'profile' | 'method' | 'path'>): boolean {
  return t.profile === 'directory' && t.method === 'GET' && !t.path.includes('jwks') && t.path !== '/directory/ca.pem';
}

/** The server's filters, applied to a trace from the live feed. */
export function matches(f: Filters, t: Trace): boolean {
  if (f.profile && t.profile !== f.profile) return false;
  if (f.client_id && t.client_id !== f.client_id) return false;
  if (f.outcome === 'fail' && t.summary.fail === 0) return false;
  if (f.outcome === 'pass' && t.summary.fail > 0) return false;
  if (f.q && !JSON.stringify(t).toLowerCase().includes(f.q.toLowerCase())) return false;
  return true;
}

export const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

class TraceStore extends Observable {
  filters: Filters = { ...noFilters };
  /** Off: the UI's own directory reads are left out of the list, the live feed and exports
   * (`hide=directory_reads`). A view setting, not a filter: "Clear filters" keeps it. */
  showDirectoryReads = false;
  /** Newest first. */
  rows: TraceRow[] = [];
  loading = false;
  /** No older traces to page in. */
  exhausted = false;
  /** At least one page has been answered since the filters last changed. */
  loaded = false;
  error: string | null = null;
  status: StreamStatus = 'connecting';
  /** When each trace that arrived live was added (ms), for the arrival highlight. */
  readonly arrivals = new Map<number, number>();
  readonly selected = new Set<string>();
  onSignedOut: (() => void) | null = null;

  private readonly seqs = new Set<number>();
  private readonly cache = new Map<string, Trace>();
  private generation = 0;
  private stopFeed: (() => void) | null = null;

  get filtered(): boolean {
    return Object.values(this.filters).some(Boolean);
  }

  start(): void {
    if (this.stopFeed) return;
    this.stopFeed = platform.onTrace((t) => this.live(t), {
      onStatus: (s) => {
        this.status = s;
        if (s === 'signed-out') this.onSignedOut?.();
        this.changed();
      },
      onResync: () => void this.reload(),
    });
    void this.reload();
  }

  stop(): void {
    this.stopFeed?.();
    this.stopFeed = null;
  }

  setFilters(patch: Partial<Filters>): void {
    this.filters = { ...this.filters, ...patch };
    this.selected.clear();
    void this.reload();
  }

  setShowDirectoryReads(on: boolean): void {
    if (on === this.showDirectoryReads) return;
    this.showDirectoryReads = on;
    this.selected.clear();
    void this.reload();
  }

  private query(): TraceQuery {
    const f = this.filters;
    return {
      profile: f.profile || undefined,
      client_id: f.client_id || undefined,
      outcome: f.outcome || undefined,
      q: f.q || undefined,
      hide: this.showDirectoryReads ? undefined : 'directory_reads',
    };
  }

  /** Starts the list over from the newest trace. */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    this.rows = [];
    this.seqs.clear();
    this.arrivals.clear();
    this.loading = true;
    this.loaded = false;
    this.exhausted = false;
    this.error = null;
    this.changed();
    try {
      const page = await platform.listTraces({ ...this.query(), limit: FIRST_PAGE });
      if (generation !== this.generation) return;
      this.add(page);
      this.exhausted = page.length < FIRST_PAGE;
      this.loaded = true;
    } catch (e) {
      if (generation === this.generation) this.failed(e);
    } finally {
      if (generation === this.generation) {
        this.loading = false;
        this.changed();
      }
    }
  }

  /** Pages in the next older traces. */
  async loadMore(): Promise<void> {
    if (this.loading || this.exhausted || !this.loaded || this.rows.length === 0) return;
    const generation = this.generation;
    const before = this.rows[this.rows.length - 1].seq;
    this.loading = true;
    this.changed();
    try {
      const page = await platform.listTraces({ ...this.query(), limit: PAGE, before });
      if (generation !== this.generation) return;
      this.add(page);
      this.exhausted = page.length < PAGE;
    } catch (e) {
      if (generation === this.generation) this.failed(e);
    } finally {
      if (generation === this.generation) {
        this.loading = false;
        this.changed();
      }
    }
  }

  private failed(e: unknown): void {
    if (e instanceof SignedOutError) this.onSignedOut?.();
    this.error = errorText(e);
  }

  private add(traces: Trace[]): void {
    let unordered = false;
    for (const t of traces) {
      this.remember(t);
      if (this.seqs.has(t.seq)) continue;
      const last = this.rows[this.rows.length - 1];
      if (last && t.seq > last.seq) unordered = true;
      this.seqs.add(t.seq);
      this.rows.push(toRow(t));
    }
    if (unordered) this.rows.sort((a, b) => b.seq - a.seq);
    this.changed();
  }

  private live(t: Trace): void {
    this.remember(t);
    if (!matches(this.filters, t) || this.seqs.has(t.seq)) return;
    if (!this.showDirectoryReads && isDirectoryRead(t)) return;
    this.seqs.add(t.seq);
    const now = Date.now();
    this.arrivals.set(t.seq, now);
    if (this.arrivals.size > 200) {
      for (const [seq, at] of this.arrivals) if (now - at > 5000) this.arrivals.delete(seq);
    }
    if (this.rows.length === 0 || t.seq > this.rows[0].seq) {
      this.rows.unshift(toRow(t));
    } else {
      const at = this.rows.findIndex((r) => r.seq < t.seq);
      this.rows.splice(at < 0 ? this.rows.length : at, 0, toRow(t));
    }
    this.changed();
  }

  private remember(t: Trace): void {
    this.cache.delete(t.id);
    this.cache.set(t.id, t);
    if (this.cache.size > CACHE) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  cached(id: string): Trace | undefined {
    return this.cache.get(id);
  }

  /** The full trace, from the cache or the server. */
  async trace(id: string): Promise<Trace> {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const t = await platform.getTrace(id);
    this.remember(t);
    return t;
  }

  toggle(id: string): void {
    if (!this.selected.delete(id)) this.selected.add(id);
    this.changed();
  }

  clearSelection(): void {
    this.selected.clear();
    this.changed();
  }

  /** The selected traces, or else the newest (up to EXPORT_MAX) that match the filters. */
  async forExport(): Promise<Trace[]> {
    if (this.selected.size > 0) {
      const ids = this.rows.filter((r) => this.selected.has(r.id)).map((r) => r.id);
      return Promise.all(ids.map((id) => this.trace(id)));
    }
    return platform.listTraces({ ...this.query(), limit: EXPORT_MAX });
  }
}

export const traces = new TraceStore();

/** Shows the trace list with only these filters. */
export function showTraces(filters: Partial<Filters>): void {
  traces.setFilters({ ...noFilters, ...filters });
  location.hash = '#/traces';
}
