// Every profile mockbank serves: issuer, discovery document, and the checks it runs with
// their effective parameters. Each check can be switched on or off (an override of the
// profile file, kept across restarts) and reverted to the file's value.

import { useState } from 'preact/hooks';
import { CopyButton, Empty, Ident, Json, RichText, SpecLinks } from '../components/bits';
import { compact } from '../lib/format';
import { href, navigate } from '../lib/route';
import { errorText, showTraces } from '../lib/traces';
import { platform } from '../platform';
import type { ParamSpec, Profile, ProfileCheck } from '../types';
import { CompareWith, ProfileDiffView } from './ProfileDiff';

type OnChange = (profile: Profile) => void;

/** Whether a check can apply to its profile's request format (older servers omit it: yes). */
const applicable = (c: ProfileCheck) => c.applicable !== false;

/** Runs one override call at a time per profile; the answer replaces the profile. */
function useOverride(onChange: OnChange) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (call: () => Promise<Profile>) => {
    setBusy(true);
    setError(null);
    try {
      onChange(await call());
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

function CheckSwitch({ check, disabled, onToggle }: { check: ProfileCheck; disabled: boolean; onToggle: (on: boolean) => void }) {
  return (
    <label class="switch" title={check.enabled ? 'Runs: click to switch off' : 'Off: click to run it'}>
      <input
        type="checkbox"
        role="switch"
        aria-label={`Enable ${check.id}`}
        checked={check.enabled}
        disabled={disabled}
        onChange={(e) => onToggle((e.target as HTMLInputElement).checked)}
      />
      <span class="switch-track" aria-hidden="true" />
    </label>
  );
}

/**
 * A check's effective parameters, each with its documentation from the catalogue: what it
 * means, the strict default when the profile sets another value, and the accepted values.
 */
function Params({ params, specs }: { params: Record<string, unknown>; specs?: ParamSpec[] }) {
  const entries = Object.entries(params);
  if (entries.length === 0) return <span class="muted">—</span>;
  return (
    <dl class="values params">
      {entries.map(([k, v]) => {
        const spec = specs?.find((s) => s.name === k);
        const changed = spec !== undefined && compact(v) !== compact(spec.default);
        return (
          <div key={k}>
            <dt class="mono">{k}</dt>
            <dd class="mono">
              {compact(v)}
              {changed && (
                <span class="param-default" title="The strict default of this parameter">
                  default: {compact(spec.default)}
                </span>
              )}
            </dd>
            {spec && (spec.doc || spec.options) && (
              <dd class="param-doc">
                {spec.doc && <RichText text={spec.doc} />}
                {spec.options && spec.options.length > 0 && (
                  <span class="param-options">one of: {spec.options.join(' | ')}</span>
                )}
              </dd>
            )}
          </div>
        );
      })}
    </dl>
  );
}

/** `other`: the profile `p` is compared with (the `diff` of the route), if any. */
function ProfileDetail({ p, profiles, other, onChange }: { p: Profile; profiles: Profile[]; other?: string; onChange: OnChange }) {
  const checks = p.checks.filter(applicable);
  const enabled = checks.filter((c) => c.enabled).length;
  const { busy, error, run } = useOverride(onChange);
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
            {p.extends && (
              <span class="muted small" data-extends={p.extends}>
                extends <span class="mono">{p.extends}</span>
              </span>
            )}
          </div>
        </div>
        <div class="profile-actions">
          <CompareWith p={p} profiles={profiles} value={other ?? ''} onChange={(id) => navigate(href.profiles(p.id, id || undefined))} />
          <button type="button" class="btn btn-sm" onClick={() => showTraces({ profile: p.id })}>
            Traces of this profile →
          </button>
        </div>
      </div>
      <p class="profile-desc">
        <RichText text={p.description} />
      </p>
      {other && <ProfileDiffView p={p} other={other} onClose={() => navigate(href.profiles(p.id))} />}
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
        Checks <span class="muted small">{enabled} enabled of {checks.length}, in the order they run</span>
        <span class="spacer" />
        {p.overrides > 0 && (
          <button
            type="button"
            class="btn btn-sm"
            disabled={busy}
            title="Every check back to the profile file's value"
            onClick={() => run(() => platform.revertAllChecks(p.id))}
          >
            Revert all ({p.overrides})
          </button>
        )}
      </h2>
      {error && <p class="alert small" role="alert">{error}</p>}
      <table class="checks profile-checks">
        <thead>
          <tr>
            <th class="col-toggle">On</th>
            <th>Check</th>
            <th>Phase</th>
            <th class="col-spec">Spec</th>
            <th>On failure</th>
            <th>Parameters</th>
          </tr>
        </thead>
        <tbody>
          {p.checks.map((c) => (
            <tr key={c.id} class={c.enabled ? '' : applicable(c) ? 'is-off' : 'is-off is-na'} data-check-id={c.id}>
              <td class="col-toggle">
                {applicable(c) && (
                  <CheckSwitch
                    check={c}
                    disabled={busy}
                    onToggle={(on) => run(() => platform.setCheck(p.id, c.id, on))}
                  />
                )}
              </td>
              <td class="col-name">
                <Ident class="check-id mono" text={c.id} />
                <div class="check-title">
                  <span class="check-text">{c.title}</span>
                  {!applicable(c) ? (
                    <span class="tag tag-na" title="Cannot apply to this profile's request format">
                      n/a
                    </span>
                  ) : (
                    !c.enabled && <span class="tag tag-off">off</span>
                  )}
                  {c.severity === 'warn' && <span class="badge b-warn">warn only</span>}
                  {c.overridden && (
                    <>
                      <span class="tag tag-override" title={`The profile file has it ${c.default_enabled ? 'on' : 'off'}`}>
                        override
                      </span>
                      <button
                        type="button"
                        class="btn btn-ghost btn-xs"
                        disabled={busy}
                        aria-label={`Revert ${c.id}`}
                        onClick={() => run(() => platform.revertCheck(p.id, c.id))}
                      >
                        revert
                      </button>
                    </>
                  )}
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
                <Params params={c.params} specs={c.param_specs} />
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

/** `diff`: the profile that the shown one is compared with (#/profiles/<id>?diff=<other>). */
export function ProfilesView({
  profiles,
  id,
  diff,
  error,
  onChange,
}: {
  profiles: Profile[];
  id?: string;
  diff?: string;
  error: string | null;
  onChange: OnChange;
}) {
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
            <span class="mono small muted">
              {p.id}
              {p.overrides > 0 && (
                <span class="tag tag-override" title={`${p.overrides} check${p.overrides === 1 ? '' : 's'} overridden`}>
                  {p.overrides} override{p.overrides === 1 ? '' : 's'}
                </span>
              )}
            </span>
          </a>
        ))}
      </nav>
      <div class="scroll-area">{current ? <ProfileDetail key={current.id} p={current} profiles={profiles} other={diff} onChange={onChange} /> : <Empty title="No profile" />}</div>
    </div>
  );
}
