// Every profile mockbank serves: issuer, discovery document, and the checks it runs with
// their effective parameters.

import { CopyButton, Empty, Ident, Json, RichText, SpecLinks } from '../components/bits';
import { compact } from '../lib/format';
import { href } from '../lib/route';
import { showTraces } from '../lib/traces';
import type { Profile } from '../types';

function Params({ params }: { params: Record<string, unknown> }) {
  const entries = Object.entries(params);
  if (entries.length === 0) return <span class="muted">—</span>;
  return (
    <dl class="values">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt class="mono">{k}</dt>
          <dd class="mono">{compact(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

function ProfileDetail({ p }: { p: Profile }) {
  const enabled = p.checks.filter((c) => c.enabled).length;
  return (
    <div class="profile" data-profile={p.id}>
      <div class="profile-head">
        <div>
          <h1>{p.title}</h1>
          <div class="profile-sub">
            <span class="tag">{p.id}</span>
            <span class="muted small">{p.spec}</span>
            <span class="muted small">
              from <span class="mono">{p.source}</span>
            </span>
          </div>
        </div>
        <button type="button" class="btn btn-sm" onClick={() => showTraces({ profile: p.id })}>
          Traces of this profile →
        </button>
      </div>
      <p class="profile-desc">
        <RichText text={p.description} />
      </p>
      <div class="fact">
        <div class="fact-label">Issuer</div>
        <div class="fact-value">
          <code>{p.issuer}</code>
          <CopyButton text={p.issuer} />
          <a class="small" href={`${p.issuer}/.well-known/openid-configuration`} target="_blank" rel="noreferrer">
            open discovery ↗
          </a>
        </div>
      </div>

      <h2 class="section-title">
        Checks <span class="muted small">{enabled} enabled of {p.checks.length}, in the order they run</span>
      </h2>
      <table class="checks profile-checks">
        <thead>
          <tr>
            <th>Check</th>
            <th>Phase</th>
            <th class="col-spec">Spec</th>
            <th>On failure</th>
            <th>Parameters</th>
          </tr>
        </thead>
        <tbody>
          {p.checks.map((c) => (
            <tr key={c.id} class={c.enabled ? '' : 'is-off'} data-check-id={c.id}>
              <td>
                <Ident class="check-id mono" text={c.id} />
                <div class="check-title">
                  {c.title}
                  {!c.enabled && <span class="tag tag-off">off</span>}
                  {c.severity === 'warn' && <span class="badge b-warn">warn only</span>}
                </div>
              </td>
              <td>
                <span class="tag tag-phase">{c.phase}</span>
              </td>
              <td class="col-spec">
                <SpecLinks spec={c.spec} />
              </td>
              <td class="mono small">
                {c.status} {c.error}
              </td>
              <td>
                <Params params={c.params} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2 class="section-title">Discovery document</h2>
      <div class="cmd">
        <Json value={p.discovery} />
        <CopyButton text={JSON.stringify(p.discovery, null, 2)} />
      </div>
    </div>
  );
}

export function ProfilesView({ profiles, id, error }: { profiles: Profile[]; id?: string; error: string | null }) {
  if (error) return <div class="banner error">{error}</div>;
  if (profiles.length === 0) return <div class="loading-text">Loading profiles…</div>;
  const current = profiles.find((p) => p.id === id) ?? profiles[0];
  return (
    <div class="split">
      <nav class="sidebar" aria-label="Profiles">
        <div class="sidebar-title">Profiles</div>
        {profiles.map((p) => (
          <a key={p.id} href={href.profiles(p.id)} class={`side-item${p.id === current.id ? ' on' : ''}`}>
            <span class="side-name">{p.title}</span>
            <span class="mono small muted">{p.id}</span>
          </a>
        ))}
      </nav>
      <div class="scroll-area">{current ? <ProfileDetail p={current} /> : <Empty title="No profile" />}</div>
    </div>
  );
}
