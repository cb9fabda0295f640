// The profiles side by side: the built-in reference TPP client registers with each picked
// profile, correctly and with each picked deviation (a case), and the matrix shows what
// each profile answered and which check decided it; below it, the checks the correct
// registration ran in each profile. A cell opens the trace behind it, whose back link returns
// here. The matrix has a URL (#/compare?profiles=…&cases=…): opening it ticks those picks and
// waits for "Run comparison", since a run registers real clients.

import { useEffect, useState } from 'preact/hooks';
import { Empty, Ident, OutcomeBadge, Spinner, Status } from '../components/bits';
import { checkDiffers, comparison, groupChecks, leftovers, rowApplies, rowDiffers, type Pick } from '../lib/compare';
import { downloadText } from '../lib/export';
import { useObservable } from '../lib/observable';
import { href, replaceRoute, type CompareSelection } from '../lib/route';
import { errorText } from '../lib/traces';
import { platform } from '../platform';
import type { CompareCase, CompareCell, CompareCheck, CompareFormat, CompareMatrix, CompareOutcome, CompareRequest, Profile } from '../types';
import { ClearLeftovers } from './Clients';

const plain = (text: string) => text.replace(/`/g, '');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
/** The URL of a comparison's matrix. */
const matrixUrl = (req: CompareRequest) => href.compare({ profiles: req.profiles ?? null, cases: req.cases ?? null });

/** A fieldset's legend, and buttons to tick every box or none. */
function PickHead({ kind, legend, all }: { kind: Pick; legend: string; all: string[] }) {
  return (
    <>
      <legend>{legend}</legend>
      <span class="pick-tools">
        <button type="button" class="btn btn-ghost btn-xs" aria-label={`All ${kind}`} onClick={() => comparison.tickAll(kind, null)}>
          all
        </button>
        <button type="button" class="btn btn-ghost btn-xs" aria-label={`No ${kind}`} onClick={() => comparison.tickAll(kind, [])}>
          none
        </button>
        <span class="muted small">
          {comparison.ticked(kind, all).length} of {all.length}
        </span>
      </span>
    </>
  );
}

function Picker({ profiles, cases }: { profiles: Profile[]; cases: CompareCase[] }) {
  const profileIds = profiles.map((p) => p.id);
  const caseNames = cases.map((c) => c.name);
  const ticked = { profiles: comparison.ticked('profiles', profileIds), cases: comparison.ticked('cases', caseNames) };
  const running = comparison.running;
  const run = (e: Event) => {
    e.preventDefault();
    const req = { profiles: ticked.profiles, cases: ticked.cases };
    void comparison.run(req);
    replaceRoute(matrixUrl(req));
  };
  const box = (kind: Pick, id: string) => (
    <input
      type="checkbox"
      value={id}
      checked={ticked[kind].includes(id)}
      onChange={(e) => comparison.tick(kind, kind === 'profiles' ? profileIds : caseNames, id, (e.target as HTMLInputElement).checked)}
    />
  );
  return (
    <form class="card compare-form" aria-label="Comparison" onSubmit={run}>
      <fieldset class="compare-pick">
        <PickHead kind="profiles" legend="Profiles" all={profileIds} />
        <div class="checks-inline">
          {profiles.map((p) => (
            <label key={p.id} class="check-label mono" title={p.title}>
              {box('profiles', p.id)}
              {p.id}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset class="compare-pick">
        <PickHead kind="cases" legend="Cases" all={caseNames} />
        <div class="checks-inline">
          {cases.map((c) => {
            // A case that applies to none of the ticked profiles would only give n/a cells.
            const idle = !c.applies_to.some((p) => ticked.profiles.includes(p));
            return (
              <label
                key={c.name}
                class={`check-label mono${idle ? ' is-idle' : ''}`}
                title={`${plain(c.description)}${idle ? ' (applies to none of the picked profiles)' : ''}`}
              >
                {box('cases', c.name)}
                {c.name}
              </label>
            );
          })}
        </div>
      </fieldset>
      <div class="form-actions">
        <button
          type="submit"
          class="btn btn-primary"
          data-testid="compare-run"
          disabled={running !== null || ticked.profiles.length === 0 || ticked.cases.length === 0}
        >
          Run comparison
        </button>
        {running && (
          <span class="progress" role="status" data-testid="compare-progress">
            <Spinner />
            running {plural(running.cases?.length ?? caseNames.length, 'case')} × {plural(running.profiles?.length ?? profileIds.length, 'profile')}…
          </span>
        )}
      </div>
    </form>
  );
}

/** `from`: the matrix's URL, where the trace's back link returns. */
function Cell({ kase, profile, cell, differs, from }: { kase: string; profile: string; cell?: CompareCell; differs: boolean; from: string }) {
  if (!cell || !cell.applicable) {
    return (
      <td class="cell-na muted" title="This case does not apply to this profile">
        n/a
      </td>
    );
  }
  const body = (
    <>
      {cell.status === null ? <span class="muted">—</span> : <Status status={cell.status} />}
      {cell.error && <span class={cell.status === null ? 'error-text small' : 'mono cell-error'}>{cell.error}</span>}
      {cell.deciding_check && <Ident class="mono small cell-check" text={cell.deciding_check} />}
    </>
  );
  return (
    <td class={differs ? 'is-diff' : ''}>
      {cell.trace_id ? (
        <a
          class="cell-body cell-link"
          href={href.trace(cell.trace_id, from)}
          data-testid="compare-cell"
          data-case={kase}
          data-profile={profile}
          title="Open the trace"
        >
          {body}
        </a>
      ) : (
        <div class="cell-body">{body}</div>
      )}
    </td>
  );
}

function Exports({ disabled }: { disabled: boolean }) {
  const [exporting, setExporting] = useState<CompareFormat | null>(null);
  const [error, setError] = useState<string | null>(null);
  const save = async (format: CompareFormat) => {
    const req = comparison.request;
    if (!req) return;
    setExporting(format);
    setError(null);
    try {
      const { text } = await platform.compareExport(req, format);
      await downloadText(format === 'csv' ? 'compare.csv' : 'compare.md', text, format === 'csv' ? 'text/csv' : 'text/markdown');
    } catch (e) {
      setError(errorText(e));
    } finally {
      setExporting(null);
    }
  };
  return (
    <>
      {error && <span class="error-text small">{error}</span>}
      {exporting && (
        <span class="progress small" role="status">
          <Spinner />
          exporting…
        </span>
      )}
      <div class="btn-group" title="The server runs this comparison again and renders it">
        <button type="button" class="btn btn-sm" disabled={disabled || exporting !== null} onClick={() => save('markdown')} data-testid="compare-export-markdown">
          Export Markdown
        </button>
        <button type="button" class="btn btn-sm" disabled={disabled || exporting !== null} onClick={() => save('csv')} data-testid="compare-export-csv">
          Export CSV
        </button>
      </div>
    </>
  );
}

function Matrix({ matrix, cases, from }: { matrix: CompareMatrix; cases: CompareCase[]; from: string }) {
  const description = (name: string) => plain(cases.find((c) => c.name === name)?.description ?? '');
  // A case that applies to none of the profiles would be a row of n/a: it is named below instead.
  const rows = matrix.cases.filter((row) => rowApplies(row, matrix.profiles));
  const idle = matrix.cases.filter((row) => !rowApplies(row, matrix.profiles)).map((row) => row.case);
  const differing = rows.filter((row) => rowDiffers(row, matrix.profiles)).length;
  return (
    <>
      <h2 class="section-title">
        Cases{' '}
        <span class="muted small">
          {plural(rows.length, 'case')} × {plural(matrix.profiles.length, 'profile')}, the profiles answer{' '}
          {differing === 0 ? 'every case alike' : `${plural(differing, 'case')} differently`}
        </span>
        <span class="spacer" />
        <Exports disabled={comparison.running !== null} />
      </h2>
      {rows.length > 0 && (
        <table class="grid compare-matrix" data-testid="compare-matrix">
          <thead>
            <tr>
              <th>Case</th>
              {matrix.profiles.map((p) => (
                <th key={p} data-profile={p}>
                  {p}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const differs = rowDiffers(row, matrix.profiles);
              return (
                <tr key={row.case} data-case={row.case} class={differs ? 'row-diff' : ''}>
                  <td class="case-name" title={description(row.case)}>
                    <span class="mono">{row.case}</span>
                    {differs && <span class="tag tag-diff">differs</span>}
                  </td>
                  {matrix.profiles.map((p) => (
                    <Cell key={p} kase={row.case} profile={p} cell={row.results[p]} differs={differs} from={from} />
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {idle.length > 0 && (
        <p class="muted small compare-idle" data-testid="compare-idle">
          {plural(idle.length, 'case')} {idle.length === 1 ? 'applies' : 'apply'} to none of these profiles:{' '}
          {idle.map((name, i) => (
            <span key={name}>
              {i > 0 && ', '}
              <code title={description(name)}>{name}</code>
            </span>
          ))}
        </p>
      )}
    </>
  );
}

function OutcomeCell({ outcome }: { outcome: CompareOutcome }) {
  if (outcome === 'absent') {
    return (
      <span class="tag tag-absent" title="The correct registration did not run this check in this profile">
        absent
      </span>
    );
  }
  return <OutcomeBadge outcome={outcome} />;
}

function ChecksTable({ checks, profiles, testid }: { checks: CompareCheck[]; profiles: string[]; testid: string }) {
  return (
    <table class="grid compare-checks" data-testid={testid}>
      <thead>
        <tr>
          <th>Check</th>
          {profiles.map((p) => (
            <th key={p} data-profile={p}>
              {p}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {checks.map((c) => (
          <tr key={c.id} data-check-id={c.id} class={checkDiffers(c, profiles) ? 'is-diff' : ''}>
            <td>
              <Ident class="check-id mono" text={c.id} />
            </td>
            {profiles.map((p) => (
              <td key={p} data-profile={p}>
                <OutcomeCell outcome={c.outcomes[p] ?? 'absent'} />
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Checks({ matrix }: { matrix: CompareMatrix }) {
  const [onlyDiff, setOnlyDiff] = useState(false);
  const { compared, partial } = groupChecks(matrix.checks, matrix.profiles);
  const differing = compared.filter((c) => checkDiffers(c, matrix.profiles));
  const shown = onlyDiff ? differing : compared;
  return (
    <>
      <h2 class="section-title">
        Checks of the correct registration{' '}
        <span class="muted small" data-testid="compare-checks-count">
          {plural(compared.length, 'check')}, {differing.length} differ
        </span>
        <span class="spacer" />
        <label class="check-label small" title="A check differs when at least two of these profiles ran it, with different outcomes">
          <input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff((e.target as HTMLInputElement).checked)} />
          Only differences
        </label>
      </h2>
      {matrix.checks.length === 0 ? (
        <p class="muted">The correct registration left no trace in any of these profiles.</p>
      ) : shown.length === 0 ? (
        <p class="muted">
          {onlyDiff
            ? 'No check differs: wherever two or more of these profiles ran a check, it had the same outcome.'
            : 'No check ran in every one of these profiles.'}
        </p>
      ) : (
        <ChecksTable checks={shown} profiles={matrix.profiles} testid="compare-checks" />
      )}
      {partial.length > 0 && (
        <details class="compare-partial">
          <summary data-testid="compare-partial-summary">
            {plural(partial.length, 'check')} {partial.length === 1 ? 'runs' : 'run'} on only some of these profiles{' '}
            <span class="muted small">(not differences: a profile that does not run a check says nothing about it)</span>
          </summary>
          <ChecksTable checks={partial} profiles={matrix.profiles} testid="compare-partial" />
        </details>
      )}
    </>
  );
}

/**
 * `selection`: what the URL picks. Without one, the URL is set to the matrix on screen (or
 * the run going), so that it can be linked and the trace of a cell can come back to it.
 */
export function CompareView({ profiles, selection }: { profiles: Profile[]; selection?: CompareSelection }) {
  useObservable(comparison);
  useEffect(() => {
    comparison.loadCases();
    void leftovers.refresh();
  }, []);
  useEffect(() => {
    if (selection) {
      comparison.select(selection);
    } else {
      const current = comparison.running ?? comparison.request;
      if (current) replaceRoute(matrixUrl(current));
    }
  }, [selection && href.compare(selection)]);
  const { cases, matrix, request } = comparison;
  return (
    <div class="compare-view">
      {comparison.casesError && <div class="banner error">{comparison.casesError}</div>}
      {comparison.error && <div class="banner error">{comparison.error}</div>}
      <div class="scroll-area">
        <div class="compare">
          {cases === null || profiles.length === 0 ? (
            !comparison.casesError && <div class="loading-text">Loading the cases…</div>
          ) : (
            <>
              <Picker profiles={profiles} cases={cases} />
              <ClearLeftovers>
                <span>Each run registers real clients (and mints software for the profiles that need a directory); they stay until deleted.</span>
              </ClearLeftovers>
              {matrix && request ? (
                <>
                  <Matrix matrix={matrix} cases={cases} from={matrixUrl(request)} />
                  <Checks matrix={matrix} />
                </>
              ) : selection ? (
                <Empty title="Not run yet">
                  <p class="muted">
                    This link ticks its profiles and cases above. A run registers real clients with each profile, so it waits for
                    you: <strong>Run comparison</strong>.
                  </p>
                </Empty>
              ) : (
                <Empty title="Nothing compared yet">
                  <p class="muted">
                    Pick profiles and cases, then run: the reference TPP client registers with each profile, correctly and
                    with each deviation, and every answer is traced.
                  </p>
                </Empty>
              )}
            </>
          )}
        </div>
      </div>
    </div>
  );
}
