// The clients registered with mockbank, per profile, with their metadata; a client can be
// deleted (its tokens are revoked with it), or reported on (what it got wrong). What
// comparisons and walkthroughs registered and minted can be cleared in one go.

import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ConfirmAction, Empty, Json } from '../components/bits';
import { leftovers } from '../lib/compare';
import { clientName, dateTime } from '../lib/format';
import { notices } from '../lib/notices';
import { useObservable } from '../lib/observable';
import { errorText, showTraces } from '../lib/traces';
import { platform } from '../platform';
import type { Client, Profile } from '../types';
import { ClientReport } from './ClientReport';

const list = (v: unknown) => (Array.isArray(v) ? v.map(String).join(', ') : v === undefined ? '' : String(v));
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The button that deletes what comparisons, walkthroughs and the first-run "run it" buttons
 * registered and minted, with `children` before it; nothing while there is nothing to clear.
 */
export function ClearLeftovers({ children, onCleared }: { children?: ComponentChildren; onCleared?: () => void }) {
  useObservable(leftovers);
  const counts = leftovers.counts;
  if (!counts || counts.clients + counts.software === 0) return null;
  const clear = async () => {
    const cleared = await leftovers.clear();
    if (!cleared) return;
    notices.say(`Deleted ${plural(cleared.clients_deleted, 'client')} and ${cleared.software_deleted} software that comparisons and walkthroughs made`);
    onCleared?.();
  };
  return (
    <div class="leftovers" data-testid="leftovers">
      {children}
      <button type="button" class="btn btn-sm" disabled={leftovers.clearing} onClick={clear} data-testid="clear-leftovers">
        Clear what comparisons and walkthroughs made ({plural(counts.clients, 'client')}, {counts.software} software)
      </button>
      {leftovers.error && <span class="error-text small">{leftovers.error}</span>}
    </div>
  );
}

export function ClientsView({ profiles }: { profiles: Profile[] }) {
  const [profile, setProfile] = useState('');
  const [clients, setClients] = useState<Client[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [report, setReport] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let current = true;
    setError(null);
    platform.listClients(profile || undefined).then(
      (c) => current && setClients(c),
      (e) => current && setError(errorText(e)),
    );
    void leftovers.refresh();
    return () => {
      current = false;
    };
  }, [profile, tick]);

  return (
    <div class="clients-view">
      <div class="toolbar">
        <select aria-label="Profile" value={profile} onChange={(e) => setProfile((e.target as HTMLSelectElement).value)}>
          <option value="">All profiles</option>
          {profiles.map((p) => (
            <option key={p.id} value={p.id}>
              {p.id}
            </option>
          ))}
        </select>
        <button type="button" class="btn btn-sm" onClick={() => setTick((n) => n + 1)}>
          Refresh
        </button>
        <ClearLeftovers onCleared={() => setTick((n) => n + 1)} />
        <div class="spacer" />
        {clients && (
          <span class="muted small">
            {clients.length} client{clients.length === 1 ? '' : 's'}
          </span>
        )}
      </div>
      {error && <div class="banner error">{error}</div>}
      <div class="scroll-area">
        {clients === null ? (
          <div class="loading-text">Loading clients…</div>
        ) : clients.length === 0 ? (
          <Empty title="No clients registered yet">
            <p class="muted">A successful registration at a profile's registration endpoint adds one here.</p>
          </Empty>
        ) : (
          <table class="grid clients">
            <thead>
              <tr>
                <th>Client id</th>
                <th>Profile</th>
                <th>Name</th>
                <th>Redirect URIs</th>
                <th>Grant types</th>
                <th>Auth method</th>
                <th>Registered</th>
                <th>Updated</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {clients.map((c) => {
                const m = c.metadata;
                const isOpen = open === c.client_id;
                const isReport = report === c.client_id;
                return [
                  <tr key={c.client_id} class={`clickable${isOpen ? ' is-open' : ''}`} onClick={() => setOpen(isOpen ? null : c.client_id)}>
                    <td class="mono">{c.client_id}</td>
                    <td>
                      <span class="tag">{c.profile}</span>
                    </td>
                    <td class="client-name">{clientName(m) ?? <span class="muted">—</span>}</td>
                    <td class="mono small client-redirects">{list(m.redirect_uris)}</td>
                    <td class="small">{list(m.grant_types)}</td>
                    <td class="mono small">
                      {list(m.token_endpoint_auth_method)}
                      {c.has_secret && <span class="tag tag-secret">secret</span>}
                    </td>
                    <td class="mono small client-date">{dateTime(c.client_id_issued_at * 1000)}</td>
                    <td class="mono small client-date">{dateTime(c.updated_at * 1000)}</td>
                    <td class="row-actions" onClick={(e) => e.stopPropagation()}>
                      <button type="button" class="btn btn-ghost btn-sm" onClick={() => showTraces({ client_id: c.client_id })}>
                        Traces →
                      </button>
                      <button
                        type="button"
                        class={`btn btn-sm${isReport ? ' is-active' : ''}`}
                        aria-expanded={isReport}
                        onClick={() => setReport(isReport ? null : c.client_id)}
                        data-testid="client-report-button"
                      >
                        Report
                      </button>
                      <ConfirmAction
                        key={c.client_id}
                        label="Delete"
                        name={`Delete ${c.client_id}`}
                        action={async () => {
                          await platform.deleteClient(c.client_id);
                          if (isOpen) setOpen(null);
                          if (isReport) setReport(null);
                          setTick((n) => n + 1);
                        }}
                        onError={(e) => setError(errorText(e))}
                      />
                    </td>
                  </tr>,
                  isReport && (
                    <tr key={`${c.client_id}-report`} class="meta-row report-row">
                      <td colSpan={9}>
                        <ClientReport clientId={c.client_id} onClose={() => setReport(null)} />
                      </td>
                    </tr>
                  ),
                  isOpen && (
                    <tr key={`${c.client_id}-meta`} class="meta-row">
                      <td colSpan={9}>
                        <div class="sub-label">Metadata</div>
                        <Json value={m} />
                      </td>
                    </tr>
                  ),
                ];
              })}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
