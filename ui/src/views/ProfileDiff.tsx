// Two profiles side by side on a profile's page: only what differs, in the settings, the
// discovery document (endpoint URLs written relative to each issuer) and the checks.

import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Ident } from '../components/bits';
import { compact } from '../lib/format';
import { href } from '../lib/route';
import { errorText } from '../lib/traces';
import { platform } from '../platform';
import type { CheckConfig, CheckDiffRow, DiffRow, Profile, ProfileDiff } from '../types';

const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
const isPrimitive = (v: unknown) => v === null || typeof v !== 'object';

/** A value; the items of a list that the other side's list lacks are marked. */
function Value({ v, other }: { v: unknown; other: unknown }) {
  if (v === null || v === undefined) return <span class="muted">not set</span>;
  if (Array.isArray(v) && v.every(isPrimitive)) {
    const theirs = Array.isArray(other) ? other.map((x) => JSON.stringify(x)) : null;
    if (v.length === 0) return <span class="mono muted">[]</span>;
    return (
      <span class="diff-items">
        {v.map((item, i) => (
          <code key={i} class={theirs && !theirs.includes(JSON.stringify(item)) ? 'is-diff' : ''}>
            {compact(item)}
          </code>
        ))}
      </span>
    );
  }
  return <span class="mono">{compact(v)}</span>;
}

function Head({ a, b }: { a: string; b: string }) {
  return (
    <thead>
      <tr>
        <th class="col-key" />
        <th data-profile={a}>{a}</th>
        <th data-profile={b}>{b}</th>
      </tr>
    </thead>
  );
}

function Section({ name, title, count, children }: { name: string; title: string; count: number; children: ComponentChildren }) {
  return (
    <div class="diff-section" data-section={name}>
      <h3 class="diff-title">
        {title} <span class="muted small">{count === 0 ? 'the same in both' : `${count} differ`}</span>
      </h3>
      {count > 0 && children}
    </div>
  );
}

function Values({ name, title, rows, a, b }: { name: string; title: string; rows: DiffRow[]; a: string; b: string }) {
  return (
    <Section name={name} title={title} count={rows.length}>
      <table class="grid diff-table">
        <Head a={a} b={b} />
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-key={r.key}>
              <td class="col-key">
                <Ident class="mono" text={r.key} />
              </td>
              <td>
                <Value v={r.a} other={r.b} />
              </td>
              <td>
                <Value v={r.b} other={r.a} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

/** A check's configuration in one profile; what the other profile has otherwise is marked. */
function CheckSide({ side, other }: { side: CheckConfig | null; other: CheckConfig | null }) {
  if (!side) return <span class="muted">not listed</span>;
  // Against a profile that does not list the check, "not listed" says it all.
  const mark = (differs: boolean) => (other && differs ? ' is-diff' : '');
  const params = Object.entries(side.params);
  return (
    <div class="check-side">
      <span class={`tag${side.enabled ? '' : ' tag-off'}${mark(side.enabled !== other?.enabled)}`}>
        {side.enabled ? 'runs' : 'off'}
      </span>
      <span class={`mono small${mark(side.severity !== other?.severity)}`}>{side.severity}</span>
      <span class={`mono small${mark(side.status !== other?.status || side.error !== other?.error)}`}>
        {side.status} {side.error}
      </span>
      {params.length > 0 && (
        <dl class="values">
          {params.map(([k, v]) => {
            const m = mark(!same(v, other?.params[k]));
            return (
              <div key={k}>
                <dt class={`mono${m}`}>{k}</dt>
                <dd class={`mono${m}`}>{compact(v)}</dd>
              </div>
            );
          })}
        </dl>
      )}
    </div>
  );
}

function Checks({ rows, a, b }: { rows: CheckDiffRow[]; a: string; b: string }) {
  return (
    <Section name="checks" title="Checks" count={rows.length}>
      <table class="grid diff-table">
        <Head a={a} b={b} />
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-check-id={r.id}>
              <td class="col-key">
                <Ident class="check-id mono" text={r.id} />
              </td>
              <td>
                <CheckSide side={r.a} other={r.b} />
              </td>
              <td>
                <CheckSide side={r.b} other={r.a} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

/** The diff of `p` (which changes with its overrides) and profile `other`. */
export function ProfileDiffView({ p, other, onClose }: { p: Profile; other: string; onClose: () => void }) {
  const [diff, setDiff] = useState<ProfileDiff | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    setError(null);
    platform.profileDiff(p.id, other).then(
      (d) => current && setDiff(d),
      (e) => current && setError(errorText(e)),
    );
    return () => {
      current = false;
    };
  }, [p, other]);

  return (
    <section class="card profile-diff" data-testid="profile-diff" data-a={p.id} data-b={other}>
      <h2 class="card-title">
        <span class="tag">{p.id}</span> compared with{' '}
        <a class="tag" href={href.profiles(other)}>
          {other}
        </a>
        <span class="muted small">only what differs</span>
        <span class="spacer" />
        <button type="button" class="btn btn-ghost btn-sm" onClick={onClose}>
          Close
        </button>
      </h2>
      {error ? (
        <p class="alert small" role="alert">
          {error}
        </p>
      ) : !diff || diff.b !== other ? (
        <div class="loading-text">Comparing…</div>
      ) : (
        <>
          <Values name="settings" title="Settings" rows={diff.settings} a={diff.a} b={diff.b} />
          <Values name="discovery" title="Discovery" rows={diff.discovery} a={diff.a} b={diff.b} />
          <Checks rows={diff.checks} a={diff.a} b={diff.b} />
        </>
      )}
    </section>
  );
}

/** The "Compare with…" select of a profile's page. */
export function CompareWith({ p, profiles, value, onChange }: { p: Profile; profiles: Profile[]; value: string; onChange: (id: string) => void }) {
  return (
    <select aria-label="Compare with" value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
      <option value="">Compare with…</option>
      {profiles
        .filter((o) => o.id !== p.id)
        .map((o) => (
          <option key={o.id} value={o.id}>
            {o.id}
          </option>
        ))}
    </select>
  );
}
