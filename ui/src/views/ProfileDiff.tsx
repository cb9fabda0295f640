// Two profiles side by side on a profile's page (#/profiles/<a>?diff=<b>): only what differs,
// in the settings, the discovery document (endpoint URLs written relative to each issuer;
// values the settings show are not repeated) and the checks, field by field, each with what
// it means.

import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Ident, RichText } from '../components/bits';
import { compact } from '../lib/format';
import { href } from '../lib/route';
import { errorText } from '../lib/traces';
import { platform } from '../platform';
import type { CheckChange, CheckDiffRow, DiffRow, Profile, ProfileDiff } from '../types';

const isPrimitive = (v: unknown) => v === null || typeof v !== 'object';

/** What a check's own fields mean (a parameter's meaning comes with the diff, as `doc`). */
const FIELD_DOCS: Record<string, string> = {
  enabled: 'Whether the check runs.',
  severity: '`error` refuses the registration when the check fails; `warn` only reports it.',
  status: 'The HTTP status of the refusal.',
  error: 'The `error` code of the refusal.',
};
const PARAM = 'params.';

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

/** `same`: what a section without differences says. */
function Section({
  name,
  title,
  count,
  same = 'the same in both',
  children,
}: {
  name: string;
  title: string;
  count: number;
  same?: string;
  children: ComponentChildren;
}) {
  return (
    <div class="diff-section" data-section={name}>
      <h3 class="diff-title">
        {title} <span class="muted small">{count === 0 ? same : `${count} differ`}</span>
      </h3>
      {count > 0 && children}
    </div>
  );
}

function Values({ name, title, rows, a, b, same }: { name: string; title: string; rows: DiffRow[]; a: string; b: string; same?: string }) {
  return (
    <Section name={name} title={title} count={rows.length} same={same}>
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

/** A check field's value: `enabled` as runs/off, the others as they are. */
function FieldValue({ field, v, other }: { field: string; v: unknown; other: unknown }) {
  if (field === 'enabled') return <span class={`tag${v ? '' : ' tag-off'}`}>{v ? 'runs' : 'off'}</span>;
  return <Value v={v} other={other} />;
}

/** The field's name (a parameter's without its `params.` prefix, marked as one) and its meaning. */
function FieldName({ change }: { change: CheckChange }) {
  const param = change.field.startsWith(PARAM);
  const doc = param ? change.doc : FIELD_DOCS[change.field];
  return (
    <>
      <span class="mono">{param ? change.field.slice(PARAM.length) : change.field}</span>
      {param && <span class="muted small"> parameter</span>}
      {doc && (
        <div class="field-doc" data-testid="field-doc">
          <RichText text={doc} />
        </div>
      )}
    </>
  );
}

/** One row per changed field; the check's name spans them. A check only one profile lists is one row. */
function CheckRows({ row, a, b }: { row: CheckDiffRow; a: string; b: string }) {
  const name = (span: number) => (
    <td class="col-key" rowSpan={span}>
      <Ident class="check-id mono" text={row.id} />
      {row.title && <div class="check-title">{row.title}</div>}
    </td>
  );
  if (row.only_in) {
    const listed = (side: 'a' | 'b') => (row.only_in === side ? <span class="tag">listed</span> : <span class="muted">not listed</span>);
    return (
      <tbody data-check-id={row.id} data-only-in={row.only_in}>
        <tr>
          {name(1)}
          <td class="muted small">only {row.only_in === 'a' ? a : b} lists it</td>
          <td>{listed('a')}</td>
          <td>{listed('b')}</td>
        </tr>
      </tbody>
    );
  }
  return (
    <tbody data-check-id={row.id}>
      {row.changes.map((c, i) => (
        <tr key={c.field} data-field={c.field}>
          {i === 0 && name(row.changes.length)}
          <td class="col-field">
            <FieldName change={c} />
          </td>
          <td>
            <FieldValue field={c.field} v={c.a} other={c.b} />
          </td>
          <td>
            <FieldValue field={c.field} v={c.b} other={c.a} />
          </td>
        </tr>
      ))}
    </tbody>
  );
}

function Checks({ rows, a, b }: { rows: CheckDiffRow[]; a: string; b: string }) {
  return (
    <Section name="checks" title="Checks" count={rows.length}>
      <table class="grid diff-table diff-checks">
        <thead>
          <tr>
            <th class="col-key">Check</th>
            <th class="col-field">Field</th>
            <th data-profile={a}>{a}</th>
            <th data-profile={b}>{b}</th>
          </tr>
        </thead>
        {rows.map((r) => (
          <CheckRows key={r.id} row={r} a={a} b={b} />
        ))}
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
          <Values
            name="discovery"
            title="Discovery"
            rows={diff.discovery}
            a={diff.a}
            b={diff.b}
            same="nothing the settings above do not show"
          />
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
