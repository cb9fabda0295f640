// The live trace list: filters, a windowed list that pages in older traces as it scrolls,
// selection and export. Opening a row shows the trace (#/traces/<id>), whose back link
// (`TraceBackLink`) returns here, or to the view that opened it.

import { useEffect, useState } from 'preact/hooks';
import { Counts, Method, Status } from '../components/bits';
import { VirtualList } from '../components/VirtualList';
import { exportTraces } from '../lib/export';
import { ago, clock } from '../lib/format';
import { useObservable } from '../lib/observable';
import { backFromTrace, href, navigate, useRoute } from '../lib/route';
import { EXPORT_MAX, errorText, noFilters, traces, type Filters } from '../lib/traces';
import type { Bootstrap, Profile, TraceRow } from '../types';
import { FirstRun } from './FirstRun';

const ROW_HEIGHT = 36;
const NEW_FOR_MS = 2000;

/** An input that applies its value after typing pauses. */
function useDebounced(value: string, apply: (v: string) => void, ms = 250) {
  useEffect(() => {
    const t = setTimeout(() => apply(value), ms);
    return () => clearTimeout(t);
  }, [value]);
}

function Toolbar({ profiles, boot }: { profiles: Profile[]; boot: Bootstrap | null }) {
  const f = traces.filters;
  const [q, setQ] = useState(f.q);
  const [client, setClient] = useState(f.client_id);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  useEffect(() => setQ(f.q), [f.q]);
  useEffect(() => setClient(f.client_id), [f.client_id]);
  useDebounced(q, (v) => v !== traces.filters.q && traces.setFilters({ q: v }));
  useDebounced(client, (v) => v.trim() !== traces.filters.client_id && traces.setFilters({ client_id: v.trim() }));

  const set = (patch: Partial<Filters>) => traces.setFilters(patch);
  const selected = traces.selected.size;
  const doExport = async (format: 'json' | 'har') => {
    setExporting(true);
    setExportError(null);
    try {
      const list = await traces.forExport();
      exportTraces(list, format, boot?.base_url ?? location.origin, boot?.version ?? '');
    } catch (e) {
      setExportError(errorText(e));
    } finally {
      setExporting(false);
    }
  };
  const exportScope = selected > 0 ? `the ${selected} selected trace${selected > 1 ? 's' : ''}` : `up to ${EXPORT_MAX} traces of this view`;

  return (
    <div class="toolbar">
      <div class="search">
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
          <path d="M11.5 10.1l3.2 3.2-1.4 1.4-3.2-3.2a6 6 0 1 1 1.4-1.4zM6.5 11a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9z" fill="currentColor" />
        </svg>
        <input
          type="search"
          placeholder="Search paths, bodies, check values…"
          value={q}
          aria-label="Search traces"
          onInput={(e) => setQ((e.target as HTMLInputElement).value)}
        />
      </div>
      <select aria-label="Profile" value={f.profile} onChange={(e) => set({ profile: (e.target as HTMLSelectElement).value })}>
        <option value="">All profiles</option>
        {profiles.map((p) => (
          <option value={p.id} key={p.id}>
            {p.id}
          </option>
        ))}
      </select>
      <div class="seg" role="group" aria-label="Outcome">
        {(
          [
            ['', 'All'],
            ['fail', 'Failed'],
            ['pass', 'Passed'],
          ] as const
        ).map(([value, label]) => (
          <button type="button" key={value} class={f.outcome === value ? 'on' : ''} onClick={() => set({ outcome: value })}>
            {label}
          </button>
        ))}
      </div>
      <input
        class="client-filter mono"
        placeholder="client_id"
        aria-label="Client id"
        value={client}
        onInput={(e) => setClient((e.target as HTMLInputElement).value)}
      />
      <label
        class="check-label small"
        title="The GETs the Directory view makes to list it: /directory/orgs, /directory/software (and a software, its bundle), /directory/variants. Directory actions (minting software, new statements, revocations) are always listed."
      >
        <input
          type="checkbox"
          checked={traces.showDirectoryReads}
          onChange={(e) => traces.setShowDirectoryReads((e.target as HTMLInputElement).checked)}
        />
        Show the UI's own directory reads
      </label>
      {traces.filtered && (
        <button type="button" class="btn btn-ghost btn-sm" onClick={() => traces.setFilters(noFilters)}>
          Clear filters
        </button>
      )}
      <div class="spacer" />
      {exportError && <span class="error-text small">{exportError}</span>}
      {selected > 0 && (
        <span class="selection">
          {selected} selected
          <button type="button" class="btn btn-ghost btn-sm" onClick={() => traces.clearSelection()}>
            Clear
          </button>
        </span>
      )}
      <div class="btn-group" title={`Exports ${exportScope}`}>
        <button type="button" class="btn btn-sm" disabled={exporting} onClick={() => doExport('json')} data-testid="export-json">
          Export JSON
        </button>
        <button type="button" class="btn btn-sm" disabled={exporting} onClick={() => doExport('har')}>
          HAR
        </button>
      </div>
    </div>
  );
}

/** A trace's way back: to the comparison that opened it (the `from` of its route), else to the list. */
export function TraceBackLink() {
  const route = useRoute();
  const back = backFromTrace(route.view === 'trace' ? route.from : undefined);
  return (
    <a class="back" href={back.href} title={back.title}>
      ← {back.label}
    </a>
  );
}

function Row({ t, now }: { t: TraceRow; now: number }) {
  const arrived = traces.arrivals.get(t.seq);
  const fresh = arrived !== undefined && now - arrived < NEW_FOR_MS;
  const failed = t.summary.fail > 0;
  const open = () => navigate(href.trace(t.id));
  return (
    <div
      class={`trow${failed ? ' is-fail' : ''}${fresh ? ' is-new' : ''}${traces.selected.has(t.id) ? ' is-selected' : ''}`}
      role="row"
      tabIndex={0}
      data-seq={t.seq}
      data-trace-id={t.id}
      onClick={open}
      onKeyDown={(e) => e.key === 'Enter' && open()}
    >
      <span class="c-sel" onClick={(e) => e.stopPropagation()}>
        <input type="checkbox" aria-label="Select" checked={traces.selected.has(t.id)} onChange={() => traces.toggle(t.id)} />
      </span>
      <span class="c-time mono" title={`${t.time} (${ago(t.time_ms, now)})`}>
        {clock(t.time_ms)}
      </span>
      <span class="c-profile">
        <span class="tag">{t.profile}</span>
      </span>
      <span class="c-method">
        <Method method={t.method} />
      </span>
      <span class="c-path mono" title={t.path}>
        {t.path}
      </span>
      <span class="c-status">
        <Status status={t.status} />
      </span>
      <span class="c-checks">
        <Counts summary={t.summary} />
      </span>
      <span class="c-failed mono" title={t.failed_check ?? ''}>
        {t.failed_check ?? (failed ? 'reported only' : '')}
      </span>
      <span class="c-client mono" title={t.client_id ?? ''}>
        {t.client_id ?? <span class="muted">—</span>}
      </span>
    </div>
  );
}

function Header() {
  return (
    <div class="trow thead" role="row">
      <span class="c-sel" />
      <span class="c-time">Time</span>
      <span class="c-profile">Profile</span>
      <span class="c-method">Method</span>
      <span class="c-path">Path</span>
      <span class="c-status">Status</span>
      <span class="c-checks">Checks</span>
      <span class="c-failed">Failed check</span>
      <span class="c-client">Client</span>
    </div>
  );
}

export function TracesView({ profiles, boot }: { profiles: Profile[]; boot: Bootstrap | null }) {
  useObservable(traces);
  const [above, setAbove] = useState(0);
  const [toTop, setToTop] = useState(0);
  const now = Date.now();
  const rows = traces.rows;
  const firstRun = traces.loaded && rows.length === 0 && !traces.filtered;
  const baseUrl = boot?.base_url ?? location.origin;

  return (
    <div class="traces-view">
      <Toolbar profiles={profiles} boot={boot} />
      {traces.error && <div class="banner error">{traces.error}</div>}
      {firstRun ? (
        <div class="scroll-area">
          <FirstRun boot={boot} profiles={profiles} baseUrl={baseUrl} />
        </div>
      ) : (
        <div class="table-wrap">
          <Header />
          {!traces.loaded && rows.length === 0 ? (
            <div class="loading-text">{traces.filtered ? 'Searching…' : 'Loading traces…'}</div>
          ) : traces.loaded && rows.length === 0 ? (
            <div class="empty">
              <h3>No traces match</h3>
              <p class="muted">New requests that match appear here as they arrive.</p>
            </div>
          ) : (
            <VirtualList
              items={rows}
              version={traces.version}
              rowHeight={ROW_HEIGHT}
              keyOf={(t) => t.seq}
              renderRow={(t) => <Row t={t} now={now} />}
              onNearEnd={() => void traces.loadMore()}
              onAddedAbove={(n) => setAbove((a) => a + n)}
              onTop={() => setAbove(0)}
              scrollToTop={toTop}
              class="trace-list"
              memoryKey="traces"
            />
          )}
          {above > 0 && (
            <button
              type="button"
              class="new-pill"
              onClick={() => {
                setAbove(0);
                setToTop((n) => n + 1);
              }}
            >
              ↑ {above} new
            </button>
          )}
        </div>
      )}
      <div class="statusbar">
        <span>
          {rows.length.toLocaleString()} trace{rows.length === 1 ? '' : 's'} loaded
          {traces.loaded && !traces.exhausted ? ' · scroll for older' : ''}
          {traces.loading ? ' · loading…' : ''}
        </span>
        {traces.filtered && <span class="muted">filtered</span>}
      </div>
    </div>
  );
}
