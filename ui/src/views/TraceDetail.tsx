// One trace: the request and response (headers, pretty bodies, decoded JWTs, the client
// certificate) beside the checks that ran, with the check that decided the response
// highlighted.

import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { CopyButton, Counts, Ident, Method, OutcomeBadge, RichText, SpecLinks, Status } from '../components/bits';
import { Certificate, Message, Values } from '../components/Exchange';
import { toCurl } from '../lib/curl';
import { exportTraces } from '../lib/export';
import { dateTime, micros, reason } from '../lib/format';
import { backFromTrace, href, navigate, parseRoute } from '../lib/route';
import { errorText, showTraces, traces } from '../lib/traces';
import type { Bootstrap, CheckResult, Outcome, Trace } from '../types';
import { TraceBackLink } from './Traces';

type CheckFilter = 'all' | Outcome;

function Checks({ trace }: { trace: Trace }) {
  const [filter, setFilter] = useState<CheckFilter>('all');
  const decided = useRef<HTMLTableRowElement>(null);
  useLayoutEffect(() => {
    decided.current?.scrollIntoView({ block: 'center' });
  }, [trace.id]);
  const shown = trace.checks.filter((c) => filter === 'all' || c.outcome === filter);
  const count = (o: Outcome) => trace.checks.filter((c) => c.outcome === o).length;
  const tabs: [CheckFilter, string, number][] = [
    ['all', 'All', trace.checks.length],
    ['fail', 'Failed', count('fail')],
    ['pass', 'Passed', count('pass')],
    ['skip', 'Skipped', count('skip')],
  ];
  return (
    <>
      <div class="pane-head">
        <h2>Checks</h2>
        <div class="seg seg-sm" role="group" aria-label="Show checks">
          {tabs.map(([value, label, n]) => (
            <button type="button" key={value} class={filter === value ? 'on' : ''} onClick={() => setFilter(value)}>
              {label} <span class="seg-n">{n}</span>
            </button>
          ))}
        </div>
      </div>
      {trace.checks.length === 0 ? (
        <p class="muted pad">No checks ran on this request (it matched no profile endpoint).</p>
      ) : (
        <table class="checks">
          <thead>
            <tr>
              <th class="col-outcome">Outcome</th>
              <th class="col-check">Check</th>
              <th class="col-spec">Spec</th>
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((c: CheckResult) => {
              const isDecider = c.id === trace.failed_check;
              return (
                <tr
                  key={c.id}
                  ref={isDecider ? decided : undefined}
                  data-check-id={c.id}
                  data-outcome={c.outcome}
                  class={`o-${c.outcome}${isDecider ? ' is-failed-check' : ''}`}
                  aria-current={isDecider ? 'true' : undefined}
                >
                  <td class="col-outcome">
                    <OutcomeBadge outcome={c.outcome} severity={c.severity} />
                  </td>
                  <td>
                    <Ident class="check-id mono" text={c.id} />
                    <div class="check-title">{c.title}</div>
                    {isDecider && <div class="decider">decided the response</div>}
                  </td>
                  <td class="col-spec">
                    <SpecLinks spec={c.spec} />
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
          </tbody>
        </table>
      )}
    </>
  );
}

export function TraceDetail({ id, boot }: { id: string; boot: Bootstrap | null }) {
  const [trace, setTrace] = useState<Trace | null>(() => traces.cached(id) ?? null);
  const [error, setError] = useState<string | null>(null);
  const baseUrl = boot?.base_url ?? location.origin;

  useEffect(() => {
    let current = true;
    setError(null);
    const hit = traces.cached(id);
    setTrace(hit ?? null);
    if (!hit) {
      traces.trace(id).then(
        (t) => current && setTrace(t),
        (e) => current && setError(errorText(e)),
      );
    }
    const onKey = (e: KeyboardEvent) => {
      // Esc goes where the back link goes: the comparison that opened it, else the list.
      if (e.key === 'Escape' && !(e.target instanceof HTMLInputElement)) {
        const route = parseRoute(location.hash);
        navigate(backFromTrace(route.view === 'trace' ? route.from : undefined).href);
      }
    };
    addEventListener('keydown', onKey);
    return () => {
      current = false;
      removeEventListener('keydown', onKey);
    };
  }, [id]);

  if (error) {
    return (
      <div class="detail">
        <div class="detail-head">
          <TraceBackLink />
        </div>
        <div class="banner error">{error}</div>
      </div>
    );
  }
  if (!trace) return <div class="detail loading-text">Loading trace…</div>;

  const t = trace;
  return (
    <div class="detail" data-testid="trace-detail" data-trace-id={t.id}>
      <div class="detail-head">
        <TraceBackLink />
        <div class="detail-title">
          <Method method={t.method} />
          <span class="mono detail-path">{t.path}</span>
          <Status status={t.status} long />
          <Counts summary={t.summary} />
        </div>
        <div class="spacer" />
        <div class="actions">
          <CopyButton text={() => toCurl(t, baseUrl)} label="Copy as curl" class="btn-copy-curl" />
          <button type="button" class="btn btn-sm" onClick={() => exportTraces([t], 'json', baseUrl, boot?.version ?? '')} data-testid="export-trace-json">
            Export JSON
          </button>
          <button type="button" class="btn btn-sm" onClick={() => exportTraces([t], 'har', baseUrl, boot?.version ?? '')}>
            HAR
          </button>
        </div>
      </div>
      <div class="detail-meta">
        <span>
          <span class="meta-k">Profile</span>
          <a href={href.profiles(t.profile)} class="tag">
            {t.profile}
          </a>
        </span>
        <span>
          <span class="meta-k">Time</span>
          <span class="mono">{dateTime(t.time_ms)}</span>
        </span>
        <span>
          <span class="meta-k">Took</span>
          <span class="mono">{micros(t.duration_us)}</span>
        </span>
        <span>
          <span class="meta-k">Client</span>
          {t.client_id ? (
            <a class="mono" href="#/traces" onClick={(e) => (e.preventDefault(), showTraces({ client_id: t.client_id ?? '' }))} title="Show this client's traces">
              {t.client_id}
            </a>
          ) : (
            <span class="muted">—</span>
          )}
        </span>
        {t.failed_check && (
          <span>
            <span class="meta-k">Failed</span>
            <span class="mono error-text">{t.failed_check}</span>
          </span>
        )}
        <span>
          <span class="meta-k">Trace</span>
          <span class="mono muted">
            {t.id} · #{t.seq}
          </span>
        </span>
      </div>
      <div class="panes">
        <div class="pane pane-exchange">
          <div class="pane-head">
            <h2>Exchange</h2>
          </div>
          <Certificate cert={t.client_cert} />
          <Message
            title="Request"
            line={
              <>
                <Method method={t.method} /> <span class="mono">{t.path}</span>
              </>
            }
            record={t.request}
          />
          <Message title="Response" line={<span class="mono">{t.status} {reason(t.status)}</span>} record={t.response} />
        </div>
        <div class="pane pane-checks">
          <Checks trace={t} />
        </div>
      </div>
    </div>
  );
}
