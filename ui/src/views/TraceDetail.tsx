// One trace: the request and response (headers, pretty bodies, decoded JWTs, the client
// certificate) beside the checks that ran, with the check that decided the response
// highlighted.

import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { CopyButton, Counts, Ident, Json, Method, OutcomeBadge, RichText, SpecLinks, Status } from '../components/bits';
import { toCurl } from '../lib/curl';
import { exportTraces } from '../lib/export';
import { compact, dateTime, micros, reason } from '../lib/format';
import { href, navigate } from '../lib/route';
import { errorText, showTraces, traces } from '../lib/traces';
import type { Bootstrap, CertSummary, CheckResult, DecodedJwt, HttpRecord, Outcome, Trace } from '../types';

function Headers({ headers }: { headers: [string, string][] }) {
  if (headers.length === 0) return <p class="muted small">No headers.</p>;
  return (
    <table class="kv">
      <tbody>
        {headers.map(([name, value], i) => (
          <tr key={i}>
            <th class="mono">{name}</th>
            <td class="mono">{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const TIME_CLAIMS = ['iat', 'nbf', 'exp'];

function Jwt({ jwt }: { jwt: DecodedJwt }) {
  const claims = (jwt.claims ?? {}) as Record<string, unknown>;
  const times = TIME_CLAIMS.filter((c) => typeof claims[c] === 'number');
  return (
    <div class="jwt" data-testid="jwt">
      <div class="jwt-where">
        <span class="tag tag-jwt">JWT</span> <span class="mono">{jwt.location}</span>
        <span class="muted small"> decoded, not verified</span>
      </div>
      <div class="jwt-parts">
        <div>
          <div class="part-label">Header</div>
          <Json value={jwt.header} />
        </div>
        <div>
          <div class="part-label">Claims</div>
          <Json value={jwt.claims} />
          {times.length > 0 && (
            <div class="small muted claim-times">
              {times.map((c) => (
                <span key={c}>
                  <span class="mono">{c}</span> {dateTime((claims[c] as number) * 1000)}
                </span>
              ))}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}

function Message({ title, line, record }: { title: string; line: ComponentChildren; record: HttpRecord }) {
  const jwts = record.jwts ?? [];
  const body = record.body;
  return (
    <section class="msg">
      <h3 class="msg-title">
        <span>{title}</span>
        <span class="msg-line">{line}</span>
      </h3>
      <div class="sub-label">Headers</div>
      <Headers headers={record.headers} />
      <div class="sub-label">
        Body
        {body !== null && body !== undefined && <CopyButton text={() => (typeof body === 'string' ? body : JSON.stringify(body, null, 2))} />}
      </div>
      {body === null || body === undefined ? <p class="muted small">Empty.</p> : <Json value={body} />}
      {jwts.length > 0 && (
        <>
          <div class="sub-label">JWTs</div>
          {jwts.map((j, i) => (
            <Jwt jwt={j} key={i} />
          ))}
        </>
      )}
    </section>
  );
}

function Certificate({ cert }: { cert: CertSummary | null }) {
  if (!cert) {
    return (
      <section class="msg cert cert-none" data-testid="client-cert">
        <h3 class="msg-title">
          <span>Client certificate</span>
          <span class="msg-line muted">none presented on this connection</span>
        </h3>
      </section>
    );
  }
  const now = Date.now();
  const expired = Date.parse(cert.not_after) < now;
  const early = Date.parse(cert.not_before) > now;
  return (
    <section class="msg cert" data-testid="client-cert">
      <h3 class="msg-title">
        <span>Client certificate</span>
        {cert.chain_error === null ? (
          <span class="badge b-pass">chains to mockbank's CA</span>
        ) : (
          <span class="badge b-fail">chain not trusted</span>
        )}
      </h3>
      <table class="kv">
        <tbody>
          <tr>
            <th>Subject</th>
            <td class="mono">{cert.subject}</td>
          </tr>
          <tr>
            <th>Issuer</th>
            <td class="mono">{cert.issuer}</td>
          </tr>
          <tr>
            <th>Valid</th>
            <td class="mono">
              {cert.not_before} → {cert.not_after}
              {expired && <span class="badge b-fail">expired</span>}
              {early && <span class="badge b-warn">not yet valid</span>}
            </td>
          </tr>
          {cert.chain_error !== null && (
            <tr>
              <th>Chain</th>
              <td class="error-text">{cert.chain_error}</td>
            </tr>
          )}
          <tr>
            <th>Serial</th>
            <td class="mono">{cert.serial}</td>
          </tr>
          <tr>
            <th>SHA-256</th>
            <td class="mono break">{cert.sha256_thumbprint}</td>
          </tr>
          {cert.psd2 && (
            <>
              <tr>
                <th>PSD2 id</th>
                <td class="mono">{cert.psd2.organization_identifier ?? '—'}</td>
              </tr>
              <tr>
                <th>PSD2 roles</th>
                <td>
                  {cert.psd2.roles.length ? cert.psd2.roles.join(', ') : '—'}
                  {cert.psd2.qc_types.map((t) => (
                    <span class="badge b-skip" key={t}>
                      {t === 'web' ? 'QWAC' : t === 'eseal' ? 'QSealC' : t}
                    </span>
                  ))}
                </td>
              </tr>
              <tr>
                <th>NCA</th>
                <td>
                  {cert.psd2.nca_name ?? '—'} {cert.psd2.nca_id && <span class="mono">({cert.psd2.nca_id})</span>}
                </td>
              </tr>
            </>
          )}
        </tbody>
      </table>
    </section>
  );
}

function Values({ values }: { values?: Record<string, unknown> }) {
  const entries = Object.entries(values ?? {});
  if (entries.length === 0) return null;
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
      if (e.key === 'Escape' && !(e.target instanceof HTMLInputElement)) navigate(href.traces());
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
          <a class="back" href={href.traces()}>
            ← Traces
          </a>
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
        <a class="back" href={href.traces()} title="Back to the list (Esc)">
          ← Traces
        </a>
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
