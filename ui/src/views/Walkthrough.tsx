// Walkthroughs, made for a trainer presenting to a room: a scenario's steps one at a time
// (→ runs the next step and shows it, ← goes back), each with its narration in large type,
// what it expected beside what happened, the exchange it caused (request, response, decoded
// JWTs, the client certificate, the checks with the ones it points at highlighted), and a
// sequence diagram of every step run so far. A registration step can be "broken": re-run
// with a deviation, to show which check refuses it and why; the steps after a re-run step
// are marked stale until they run again.

import { useEffect, useRef, useState } from 'preact/hooks';
import { Counts, Empty, Ident, Json, Method, OutcomeBadge, RichText, SpecLinks, Spinner, Status } from '../components/bits';
import { Certificate, Message, pointOf, Values, type Point } from '../components/Exchange';
import { SequenceDiagram, type DiagramStep } from '../components/SequenceDiagram';
import { downloadText } from '../lib/export';
import { reason } from '../lib/format';
import { notices } from '../lib/notices';
import { useObservable } from '../lib/observable';
import { href } from '../lib/route';
import { errorText } from '../lib/traces';
import { walkthrough, type Busy, type StepState } from '../lib/walkthrough';
import { platform } from '../platform';
import type { CheckResult, HandoutFormat, Scenario, ScenarioStep, StepExpect, StepResult, Trace } from '../types';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Markdown as one line of text: links and emphasis dropped, `code` kept for `RichText`. */
const plainMarkdown = (md: string) =>
  md
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/(^|[^*])\*([^*]+)\*/g, '$1$2')
    .replace(/\\\n/g, ' ');

const ACTION_LABEL: Record<string, string> = {
  narrate: 'narration',
  onboard: 'directory onboarding',
  register: 'registration',
  token: 'token request',
  read: 'read',
  update: 'update',
  delete: 'delete',
  initial_access_token: 'initial access token',
};

/** A result that ran with another deviation than the step is written with: "broken". */
const isBroken = (step: ScenarioStep, r: StepResult | null) => !!r && r.deviation !== null && r.deviation !== step.deviation;

// ---------- the list ----------

export function WalkthroughsView() {
  useObservable(walkthrough);
  useEffect(() => {
    if (!walkthrough.list) walkthrough.loadList();
  }, []);
  const { list, listError } = walkthrough;
  return (
    <div class="walkthroughs-view">
      {listError && <div class="banner error">{listError}</div>}
      <div class="scroll-area">
        <div class="walkthroughs">
          <h1 class="wt-list-title">Walkthroughs</h1>
          <p class="muted wt-list-sub">
            Scenarios to present: each step is performed by the reference TPP client against this mockbank, live, with its
            narration, the exchange it caused and a sequence diagram. Open one and step through it with ← and →.
          </p>
          {list === null ? (
            !listError && <div class="loading-text">Loading the walkthroughs…</div>
          ) : list.length === 0 ? (
            <Empty title="No walkthroughs">
              <p class="muted">This server offers no scenarios.</p>
            </Empty>
          ) : (
            <div class="wt-cards">
              {list.map((s) => (
                <a key={s.name} class="card wt-card" href={href.walkthrough(s.name)} data-testid="walkthrough-card" data-name={s.name}>
                  <h2 class="wt-card-title">{s.title}</h2>
                  <div class="wt-card-audience">{s.audience}</div>
                  <div class="wt-card-meta">
                    {s.profiles.map((p) => (
                      <span key={p} class="tag">
                        {p}
                      </span>
                    ))}
                    <span class="muted small">{plural(s.steps, 'step')}</span>
                  </div>
                  <p class="wt-card-summary">
                    <RichText text={plainMarkdown(s.summary)} />
                  </p>
                </a>
              ))}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}

// ---------- one walkthrough ----------

/** Server-rendered narration (Markdown made safe by the server); links open outside. */
function Narration({ html, testid }: { html: string; testid?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    for (const a of ref.current?.querySelectorAll('a[href]') ?? []) {
      if (a.getAttribute('href')?.startsWith('#')) continue;
      a.setAttribute('target', '_blank');
      a.setAttribute('rel', 'noreferrer noopener');
    }
  }, [html]);
  return <div class="wt-narration" ref={ref} data-testid={testid} dangerouslySetInnerHTML={{ __html: html }} />;
}

function StateBadge({ state }: { state: StepState }) {
  switch (state) {
    case 'running':
      return (
        <span class="wt-badge wt-b-running" title="Running">
          <Spinner />
        </span>
      );
    case 'ok':
      return (
        <span class="wt-badge wt-b-ok" title="Ran as expected">
          ✓
        </span>
      );
    case 'fail':
      return (
        <span class="wt-badge wt-b-fail" title="Did not meet its expectation">
          ✕
        </span>
      );
    case 'stale':
      return (
        <span class="wt-badge wt-b-stale" title="Stale: an earlier step ran again since, run this one again">
          ↻
        </span>
      );
    default:
      return (
        <span class="wt-badge wt-b-notrun" title="Not run yet">
          –
        </span>
      );
  }
}

function StepList({ scenario }: { scenario: Scenario }) {
  const w = walkthrough;
  const ran = w.results.filter((r) => r !== null);
  const states = scenario.steps.map((s) => w.stateOf(s.index));
  const stale = states.filter((s) => s === 'stale').length;
  return (
    <aside class="sidebar wt-steps" aria-label="Steps">
      <a class="back wt-back" href={href.walkthroughs()}>
        ← Walkthroughs
      </a>
      <div class="sidebar-title">Steps</div>
      <button
        type="button"
        class={`side-item wt-item${w.current === -1 ? ' on' : ''}`}
        aria-current={w.current === -1 ? 'step' : undefined}
        data-testid="wt-step-item"
        data-index={-1}
        onClick={() => w.show(-1)}
      >
        <span class="wt-item-row">
          <span class="wt-num">·</span>
          <span class="wt-item-title">Introduction</span>
        </span>
      </button>
      {scenario.steps.map((s) => {
        const state = w.stateOf(s.index);
        const r = w.results[s.index];
        return (
          <button
            type="button"
            key={s.index}
            class={`side-item wt-item${w.current === s.index ? ' on' : ''} st-${state}`}
            aria-current={w.current === s.index ? 'step' : undefined}
            data-testid="wt-step-item"
            data-index={s.index}
            data-state={state}
            onClick={() => w.show(s.index)}
          >
            <span class="wt-item-row">
              <span class="wt-num">{s.index + 1}</span>
              <span class="wt-item-title">{s.title}</span>
              <StateBadge state={state} />
            </span>
            <span class="wt-item-sub">
              {ACTION_LABEL[s.action] ?? s.action}
              {isBroken(s, r) && <span class="tag tag-broken">broken: {r?.deviation}</span>}
              {state === 'stale' && <span class="tag tag-stale">stale — re-run</span>}
            </span>
          </button>
        );
      })}
      <div class="wt-progress small muted">
        {ran.length} of {plural(scenario.steps.length, 'step')} run
        {ran.length > 0 && `, ${states.filter((s) => s === 'ok').length} as expected`}
        {stale > 0 && `, ${stale} stale`}
      </div>
      <div class="wt-keys small muted">
        <kbd>→</kbd> runs the next step and shows it, <kbd>←</kbd> goes back.
      </div>
    </aside>
  );
}

function HandoutButtons() {
  const [saving, setSaving] = useState<HandoutFormat | null>(null);
  const run = walkthrough.run;
  const save = async (format: HandoutFormat) => {
    if (!run) return;
    setSaving(format);
    try {
      const text = await platform.scenarioHandout(run.run_id, format);
      await downloadText(
        `${run.name}-handout.${format === 'html' ? 'html' : 'md'}`,
        text,
        format === 'html' ? 'text/html' : 'text/markdown',
      );
    } catch (e) {
      notices.say(`Could not get the handout: ${errorText(e)}`, true);
    } finally {
      setSaving(null);
    }
  };
  const title = run ? 'The run so far, as a file to hand out' : 'Run a step first';
  return (
    <div class="btn-group" title={title}>
      <button type="button" class="btn btn-sm" disabled={!run || saving !== null} onClick={() => save('html')} data-testid="handout-html">
        {saving === 'html' && <Spinner />}Download handout (HTML)
      </button>
      <button type="button" class="btn btn-sm" disabled={!run || saving !== null} onClick={() => save('markdown')} data-testid="handout-markdown">
        {saving === 'markdown' && <Spinner />}(Markdown)
      </button>
    </div>
  );
}

function TopBar({ scenario }: { scenario: Scenario }) {
  const w = walkthrough;
  const last = w.current >= scenario.steps.length - 1;
  const currentNotRun = w.current >= 0 && w.needsRun(w.current);
  const nextRuns = currentNotRun || (!last && w.needsRun(w.current + 1));
  return (
    <div class="wt-bar">
      <span class="wt-bar-title" title={scenario.title}>
        {scenario.title}
      </span>
      {(w.run?.profile ?? w.profile ?? scenario.profiles[0]) && (
        <a class="tag" href={href.profiles(w.run?.profile ?? w.profile ?? scenario.profiles[0])} title="The run's profile">
          {w.run?.profile ?? w.profile ?? scenario.profiles[0]}
        </a>
      )}
      <span class="spacer" />
      <button type="button" class="btn" onClick={() => w.prev()} disabled={w.current === -1} data-testid="wt-prev" title="The step before (←)">
        ← Prev
      </button>
      <button
        type="button"
        class="btn btn-primary wt-next"
        onClick={() => w.next()}
        disabled={w.busy !== null || (last && !currentNotRun)}
        data-testid="wt-next"
        title={nextRuns ? 'Run the next step and show it (→)' : 'The next step (→)'}
      >
        {currentNotRun ? (w.results[w.current] ? 'Re-run this step' : 'Run this step') : w.current === -1 ? 'Start' : 'Next'} →
      </button>
      <button
        type="button"
        class="btn btn-sm"
        onClick={() => w.restart()}
        disabled={w.busy !== null || !w.run}
        title="Forget this run: the next step starts a new one"
      >
        Restart
      </button>
      <HandoutButtons />
    </div>
  );
}

function Intro({ scenario }: { scenario: Scenario }) {
  const w = walkthrough;
  const profile = w.run?.profile ?? w.profile ?? scenario.profiles[0];
  return (
    <section class="wt-slide wt-intro" data-testid="wt-intro">
      <div class="wt-kicker">
        Walkthrough · {plural(scenario.steps.length, 'step')}
      </div>
      <h1 class="wt-title">{scenario.title}</h1>
      <div class="wt-audience">
        <span class="wt-audience-k">Audience</span> {scenario.audience}
      </div>
      {scenario.summary_html ? <Narration html={scenario.summary_html} /> : <p class="wt-narration">{plainMarkdown(scenario.summary)}</p>}
      <div class="wt-start">
        {scenario.profiles.length > 1 && (
          <label class="wt-profile-pick">
            Profile{' '}
            <select
              value={profile}
              disabled={w.busy !== null}
              onChange={(e) => w.setProfile((e.target as HTMLSelectElement).value)}
              data-testid="wt-profile"
            >
              {scenario.profiles.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </label>
        )}
        <button type="button" class="btn btn-primary" onClick={() => w.next()} disabled={w.busy !== null}>
          {w.results.some((r) => r !== null) ? 'Go to step 1 →' : 'Start: run step 1 →'}
        </button>
        <span class="muted">
          or press <kbd>→</kbd>
        </span>
      </div>
    </section>
  );
}

function ExpectRow({ label, expected, actual, met }: { label: string; expected: string | null; actual: string; met: boolean | null }) {
  return (
    <tr class={met === null ? '' : met ? 'is-met' : 'is-unmet'}>
      <th>{label}</th>
      <td class="mono">{expected ?? <span class="muted">—</span>}</td>
      <td class="mono">{actual}</td>
      <td class="wt-met">{met === null ? '' : met ? '✓' : '✕'}</td>
    </tr>
  );
}

function statusText(status: number | null): string {
  if (status === null) return 'no answer';
  const r = reason(status);
  return r ? `${status} ${r}` : String(status);
}

/** What the step expected beside what happened. */
function ExpectVsActual({ step, result }: { step: ScenarioStep; result: StepResult | null }) {
  if (step.action === 'narrate') {
    return <p class="wt-note muted">Narration only: nothing is sent.</p>;
  }
  const expected: StepExpect | null = result ? result.expected : step.expect;
  const broken = isBroken(step, result);
  const implied = broken || (result?.deviation ?? step.deviation) ? 'the bank refuses it' : 'the bank accepts it (2xx)';
  return (
    <div class="wt-expect" data-testid="expect-vs-actual" data-met={result ? String(result.ok) : undefined}>
      {expected ? (
        <table class="wt-expect-table">
          <thead>
            <tr>
              <th />
              <th>Expected</th>
              <th>Actual</th>
              <th />
            </tr>
          </thead>
          <tbody>
            <ExpectRow
              label="Status"
              expected={expected.status === null ? null : statusText(expected.status)}
              actual={result ? statusText(result.status) : '…'}
              met={!result || expected.status === null ? null : expected.status === result.status}
            />
            {(expected.check !== null || result?.deciding_check) && (
              <ExpectRow
                label="Deciding check"
                expected={expected.check}
                actual={result ? (result.deciding_check ?? 'none failed') : '…'}
                met={!result || expected.check === null ? null : expected.check === result.deciding_check}
              />
            )}
            {(expected.error !== null || result?.error) && (
              <ExpectRow
                label="Error"
                expected={expected.error}
                actual={result ? (result.error ?? 'none') : '…'}
                met={!result || expected.error === null ? null : expected.error === result.error}
              />
            )}
          </tbody>
        </table>
      ) : (
        <p class="wt-implied">
          Expected: <strong>{implied}</strong>
          {result && (
            <>
              {' '}
              · Actual: {result.status === null ? <strong>no answer</strong> : <Status status={result.status} long />}
              {result.error && <code class="wt-error-code">{result.error}</code>}
            </>
          )}
        </p>
      )}
      {result && (
        <div class={`wt-verdict ${result.ok ? 'ok' : 'fail'}`} data-testid="verdict">
          {result.ok ? '✓ As expected' : `✕ Not as expected${result.problem ? `: ${result.problem}` : ''}`}
        </div>
      )}
    </div>
  );
}

const checkOf = (r: StepResult, id: string | null): CheckResult | undefined =>
  id === null ? undefined : (r.traces ?? []).flatMap((t) => t.checks).find((c) => c.id === id);

/** A "break it" re-run's outcome: which check refused it, and why. */
function BrokenResult({ step, result }: { step: ScenarioStep; result: StepResult }) {
  const option = step.break_options.find((o) => o.name === result.deviation);
  const decider = checkOf(result, result.deciding_check);
  const accepted = result.status !== null && result.status >= 200 && result.status < 300;
  return (
    <div class={`wt-broken${accepted ? ' accepted' : ''}`} data-testid="broken-result" data-deviation={result.deviation}>
      <div class="wt-broken-head">
        <span class="wt-broken-tag">Broken</span>
        <code>{result.deviation}</code>
        {option && (
          <span class="wt-broken-what">
            <RichText text={option.description} />
          </span>
        )}
      </div>
      <div class="wt-broken-line">
        {result.status === null ? (
          <>Nothing was answered{result.problem ? `: ${result.problem}` : '.'}</>
        ) : accepted ? (
          <>
            The bank <strong>accepted it</strong>: <Status status={result.status} long />
          </>
        ) : (
          <>
            The bank <strong>refused it</strong>: <Status status={result.status} long />
            {result.error && <code class="wt-error-code">{result.error}</code>}
          </>
        )}
      </div>
      {result.deciding_check && (
        <div class="wt-broken-decider" data-testid="broken-decider">
          <span class="wt-decided-by">Decided by</span> <code class="wt-decider-id">{result.deciding_check}</code>
          {decider && (
            <div class="wt-decider-detail">
              <RichText text={decider.detail} />
            </div>
          )}
        </div>
      )}
    </div>
  );
}

function BreakIt({ step, result, busy }: { step: ScenarioStep; result: StepResult | null; busy: Busy | null }) {
  const broken = isBroken(step, result);
  const [pick, setPick] = useState<string>(() => (broken && result?.deviation ? result.deviation : (step.break_options[0]?.name ?? '')));
  const option = step.break_options.find((o) => o.name === pick);
  const w = walkthrough;
  return (
    <div class="wt-break" data-testid="break-it-panel">
      <div class="wt-break-row">
        <label class="wt-break-label" for={`break-${step.index}`}>
          Break it
        </label>
        <select id={`break-${step.index}`} value={pick} onChange={(e) => setPick((e.target as HTMLSelectElement).value)} data-testid="break-select">
          {step.break_options.map((o) => (
            <option key={o.name} value={o.name}>
              {o.name}
            </option>
          ))}
        </select>
        <button
          type="button"
          class="btn btn-danger-solid"
          disabled={busy !== null || !pick}
          onClick={() => void w.rerun(step.index, pick)}
          data-testid="break-it"
        >
          Re-run this step broken
        </button>
        {broken && (
          <button type="button" class="btn" disabled={busy !== null} onClick={() => void w.rerun(step.index, null)} data-testid="rerun-correct">
            Re-run correctly
          </button>
        )}
      </div>
      {option && (
        <div class="wt-break-desc muted">
          <RichText text={option.description} />
        </div>
      )}
    </div>
  );
}

type CheckView = 'focus' | 'all';

function StepChecks({ trace, pointed, deciding }: { trace: Trace; pointed: string[]; deciding: string | null }) {
  const focusOf = (c: CheckResult) => pointed.includes(c.id) || c.outcome === 'fail' || c.id === deciding;
  const focused = trace.checks.filter(focusOf);
  const [view, setView] = useState<CheckView>(focused.length > 0 ? 'focus' : 'all');
  const shown = view === 'all' ? trace.checks : focused;
  const missing = pointed.filter((id) => !trace.checks.some((c) => c.id === id));
  return (
    <>
      <div class="pane-head">
        <h2>Checks</h2>
        <div class="seg seg-sm" role="group" aria-label="Show checks">
          <button type="button" class={view === 'focus' ? 'on' : ''} onClick={() => setView('focus')}>
            Pointed at &amp; failed <span class="seg-n">{focused.length}</span>
          </button>
          <button type="button" class={view === 'all' ? 'on' : ''} onClick={() => setView('all')}>
            All <span class="seg-n">{trace.checks.length}</span>
          </button>
        </div>
      </div>
      {trace.checks.length === 0 ? (
        <p class="muted pad">No checks ran on this request.</p>
      ) : (
        <table class="checks wt-checks" data-testid="wt-checks">
          <tbody>
            {shown.map((c) => {
              const isDecider = c.id === deciding;
              const isPointed = pointed.includes(c.id);
              return (
                <tr
                  key={c.id}
                  data-check-id={c.id}
                  data-outcome={c.outcome}
                  data-testid={isDecider ? 'deciding-check' : undefined}
                  class={`o-${c.outcome}${isPointed ? ' pointed' : ''}${isDecider ? ' is-failed-check' : ''}`}
                >
                  <td class="col-outcome">
                    <OutcomeBadge outcome={c.outcome} severity={c.severity} />
                  </td>
                  <td>
                    <Ident class="check-id mono" text={c.id} />
                    <div class="check-title">{c.title}</div>
                    <div class="wt-check-tags">
                      {isDecider && <span class="decider">decided the response</span>}
                      {isPointed && <span class="tag tag-pointed">pointed at</span>}
                      <span class="small">
                        <SpecLinks spec={c.spec} />
                      </span>
                    </div>
                  </td>
                  <td>
                    <div class="check-detail">
                      <RichText text={c.detail} />
                    </div>
                    <Values values={c.values} />
                  </td>
                </tr>
              );
            })}
            {missing.map((id) => (
              <tr key={id} data-check-id={id} data-outcome="absent" class="pointed o-absent">
                <td class="col-outcome">
                  <span class="tag tag-absent">not run</span>
                </td>
                <td>
                  <Ident class="check-id mono" text={id} />
                  <div class="wt-check-tags">
                    <span class="tag tag-pointed">pointed at</span>
                  </div>
                </td>
                <td class="muted">{deciding ? 'The bank stopped at the check that decided.' : 'Did not run on this request.'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function TraceExchange({ trace: t, point, pointed, deciding }: { trace: Trace; point: Point; pointed: string[]; deciding: string | null }) {
  return (
    <section class="wt-trace" data-testid="wt-trace" data-trace-id={t.id}>
      <h2 class="section-title wt-trace-title">
        <Method method={t.method} />
        <span class="mono">{t.path}</span>
        <Status status={t.status} long />
        <Counts summary={t.summary} />
        <span class="spacer" />
        <a class="btn btn-sm" href={href.trace(t.id)}>
          Open the trace
        </a>
      </h2>
      <div class="wt-panes">
        <div class="wt-pane wt-pane-exchange pane-exchange">
          {t.client_cert && <Certificate cert={t.client_cert} />}
          <Message
            title="Request"
            line={
              <>
                <Method method={t.method} /> <span class="mono">{t.path}</span>
              </>
            }
            record={t.request}
            point={point}
          />
          <Message title="Response" line={<span class="mono">{statusText(t.status)}</span>} record={t.response} point={point} />
        </div>
        <div class="wt-pane pane-checks">
          <StepChecks trace={t} pointed={pointed} deciding={deciding ?? t.failed_check} />
        </div>
      </div>
    </section>
  );
}

function StepExchange({ step, result }: { step: ScenarioStep; result: StepResult }) {
  const point = pointOf(step.point_at.headers, step.point_at.claims);
  const traces = result.traces ?? [];
  if (traces.length === 0) {
    if (result.response === null || result.response === undefined) return null;
    return (
      <section class="wt-trace">
        <h2 class="section-title">What came back</h2>
        <div class="msg wt-plain-response">
          <Json value={result.response} mark={point.claims} />
        </div>
      </section>
    );
  }
  return (
    <>
      {traces.map((t) => (
        <TraceExchange key={t.id} trace={t} point={point} pointed={step.point_at.checks} deciding={result.deciding_check} />
      ))}
    </>
  );
}

function PointedList({ step }: { step: ScenarioStep }) {
  const { checks, claims, headers } = step.point_at;
  if (checks.length + claims.length + headers.length === 0) return null;
  const group = (label: string, items: string[]) =>
    items.length > 0 && (
      <span class="wt-look-group">
        <span class="wt-look-k">{label}</span>
        {items.map((i) => (
          <code key={i} class="pointed">
            {i}
          </code>
        ))}
      </span>
    );
  return (
    <div class="wt-look" data-testid="point-at">
      <span class="wt-look-title">Look at</span>
      {group('checks', checks)}
      {group('claims', claims)}
      {group('headers', headers)}
    </div>
  );
}

function StepSlide({ scenario, step }: { scenario: Scenario; step: ScenarioStep }) {
  const w = walkthrough;
  const result = w.results[step.index];
  const running = w.busy?.index === step.index ? w.busy : null;
  const profile = step.profile ?? w.run?.profile ?? w.profile ?? scenario.profiles[0];
  const ranAgain = result && !running ? w.ranAgainBefore(step.index) : null;
  return (
    <section
      class={`wt-slide${ranAgain !== null ? ' is-stale' : ''}`}
      data-testid="wt-step"
      data-index={step.index}
      data-action={step.action}
      data-state={w.stateOf(step.index)}
      data-ok={result ? String(result.ok) : undefined}
    >
      <div class="wt-kicker">
        Step {step.index + 1} of {scenario.steps.length} · {ACTION_LABEL[step.action] ?? step.action}
        {step.action !== 'narrate' && step.action !== 'onboard' && <span class="tag">{profile}</span>}
        {step.deviation && <span class="tag tag-broken">written with {step.deviation}</span>}
      </div>
      <h1 class="wt-title">{step.title}</h1>
      <Narration html={step.narration_html} testid="narration" />
      <PointedList step={step} />
      {running ? (
        <div class="wt-running" role="status" data-testid="wt-running">
          <Spinner />
          {running.deviation ? `Running it broken (${running.deviation})…` : 'Running…'}
        </div>
      ) : !result ? (
        <div class="wt-notrun">
          <span class="muted">Not run yet.</span>
          <button type="button" class="btn btn-primary" onClick={() => void w.runTo(step.index)} data-testid="run-step">
            Run this step
          </button>
          <span class="muted small">
            (or press <kbd>→</kbd>; steps before it that have not run go first)
          </span>
        </div>
      ) : ranAgain !== null ? (
        <div class="wt-stale" role="status" data-testid="wt-stale">
          <span class="wt-stale-tag">Stale</span>
          <span>
            Step {ranAgain + 1} ran again after this one: what is shown here came before it.
          </span>
          <button type="button" class="btn btn-primary" disabled={w.busy !== null} onClick={() => void w.runTo(step.index)} data-testid="rerun-stale">
            Re-run this step
          </button>
        </div>
      ) : null}
      {result && isBroken(step, result) && !running && <BrokenResult step={step} result={result} />}
      {(result || !running) && <ExpectVsActual step={step} result={running ? null : result} />}
      {step.break_options.length > 0 && <BreakIt key={step.index} step={step} result={result} busy={w.busy} />}
    </section>
  );
}

export function WalkthroughView({ name }: { name: string }) {
  useObservable(walkthrough);
  const w = walkthrough;
  useEffect(() => w.open(name), [name]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      const t = e.target;
      if (t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement) return;
      if (t instanceof HTMLElement && t.isContentEditable) return;
      if (e.key === 'ArrowRight') {
        e.preventDefault();
        w.next();
      } else if (e.key === 'ArrowLeft') {
        e.preventDefault();
        w.prev();
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);

  const scenario = w.name === name ? w.scenario : null;
  if (w.name === name && w.loadError) {
    return (
      <div class="walkthrough-view">
        <div class="banner error">{w.loadError}</div>
        <p class="pad">
          <a href={href.walkthroughs()}>← All walkthroughs</a>
        </p>
      </div>
    );
  }
  if (!scenario) return <div class="loading-text">Loading the walkthrough…</div>;

  const step = w.current >= 0 ? scenario.steps[w.current] : null;
  const diagram: DiagramStep[] = scenario.steps
    .map((s) => ({
      index: s.index,
      title: s.title,
      arrows: w.results[s.index]?.arrows ?? [],
      running: w.busy?.index === s.index,
      stale: w.stateOf(s.index) === 'stale',
    }))
    .filter((d) => d.arrows.length > 0 || d.running);
  const result = step ? w.results[step.index] : null;

  return (
    <div class="walkthrough-view" data-testid="walkthrough" data-name={scenario.name} data-current={w.current}>
      <div class="wt">
        <StepList scenario={scenario} />
        <div class="wt-main">
          <TopBar scenario={scenario} />
          {w.runError && (
            <div class="banner error" role="alert">
              {w.runError}
            </div>
          )}
          <div class="scroll-area wt-scroll">
            <div class="wt-stage">
              <div class="wt-text">{step ? <StepSlide key={step.index} scenario={scenario} step={step} /> : <Intro scenario={scenario} />}</div>
              <div class="wt-diagram">
                <SequenceDiagram steps={diagram} current={w.current} />
              </div>
            </div>
            {step && result && w.busy?.index !== step.index && (
              <div class="wt-exchange">
                <StepExchange step={step} result={result} />
              </div>
            )}
          </div>
        </div>
      </div>
    </div>
  );
}
