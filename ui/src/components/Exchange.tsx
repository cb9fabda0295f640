// One traced exchange, piece by piece: headers, pretty bodies, decoded JWTs, the client
// certificate, a check's values. The trace detail shows them as they are; a walkthrough
// passes `point` to highlight the headers and claims (JSON members) its step points at.

import type { ComponentChildren } from 'preact';
import { CopyButton, Json } from './bits';
import { compact, dateTime } from '../lib/format';
import type { CertSummary, DecodedJwt, HttpRecord } from '../types';

/** What to highlight: header names (lower case) and claim / member names. */
export interface Point {
  headers: ReadonlySet<string>;
  claims: ReadonlySet<string>;
}

export function pointOf(headers: string[], claims: string[]): Point {
  return { headers: new Set(headers.map((h) => h.toLowerCase())), claims: new Set(claims) };
}

export function Headers({ headers, point }: { headers: [string, string][]; point?: Point }) {
  if (headers.length === 0) return <p class="muted small">No headers.</p>;
  return (
    <table class="kv">
      <tbody>
        {headers.map(([name, value], i) => {
          const pointed = point?.headers.has(name.toLowerCase());
          return (
            <tr key={i} class={pointed ? 'pointed' : undefined} data-header={name.toLowerCase()}>
              <th class="mono">{name}</th>
              <td class="mono">{value}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const TIME_CLAIMS = ['iat', 'nbf', 'exp'];

export function Jwt({ jwt, point }: { jwt: DecodedJwt; point?: Point }) {
  const claims = (jwt.claims ?? {}) as Record<string, unknown>;
  const times = TIME_CLAIMS.filter((c) => typeof claims[c] === 'number');
  const pointed = point ? Object.keys(claims).filter((c) => point.claims.has(c)) : [];
  return (
    <div class="jwt" data-testid="jwt">
      <div class="jwt-where">
        <span class="tag tag-jwt">JWT</span> <span class="mono">{jwt.location}</span>
        <span class="muted small"> decoded, not verified</span>
        {pointed.length > 0 && (
          <span class="pointed-claims small">
            {' '}
            look at{' '}
            {pointed.map((c) => (
              <code key={c} class="pointed">
                {c}
              </code>
            ))}
          </span>
        )}
      </div>
      <div class="jwt-parts">
        <div>
          <div class="part-label">Header</div>
          <Json value={jwt.header} mark={point?.claims} />
        </div>
        <div>
          <div class="part-label">Claims</div>
          <Json value={jwt.claims} mark={point?.claims} />
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

export function Message({
  title,
  line,
  record,
  point,
}: {
  title: string;
  line: ComponentChildren;
  record: HttpRecord;
  point?: Point;
}) {
  const jwts = record.jwts ?? [];
  const body = record.body;
  return (
    <section class="msg">
      <h3 class="msg-title">
        <span>{title}</span>
        <span class="msg-line">{line}</span>
      </h3>
      <div class="sub-label">Headers</div>
      <Headers headers={record.headers} point={point} />
      <div class="sub-label">
        Body
        {body !== null && body !== undefined && <CopyButton text={() => (typeof body === 'string' ? body : JSON.stringify(body, null, 2))} />}
      </div>
      {body === null || body === undefined ? <p class="muted small">Empty.</p> : <Json value={body} mark={point?.claims} />}
      {jwts.length > 0 && (
        <>
          <div class="sub-label">JWTs</div>
          {jwts.map((j, i) => (
            <Jwt jwt={j} key={i} point={point} />
          ))}
        </>
      )}
    </section>
  );
}

export function Certificate({ cert }: { cert: CertSummary | null }) {
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

export function Values({ values }: { values?: Record<string, unknown> }) {
  const entries = Object.entries(values ?? {});
  if (entries.length === 0) return null;
  return (
    <dl class="values check-values">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt class="mono">{k}</dt>
          <dd class="mono">{compact(v)}</dd>
        </div>
      ))}
    </dl>
  );
}
