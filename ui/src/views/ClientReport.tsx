// One client's report (`GET /admin/report?client_id=ID`): how many of its requests failed,
// and its failed checks grouped into the mistakes behind them, each with the rule it broke,
// the spec, and an example trace, under the grade's headline. The server renders the same
// report as Markdown (mockbank-core `report.rs`).

import { useEffect, useState } from 'preact/hooks';
import { Ident, RichText, Spinner } from '../components/bits';
import { downloadText } from '../lib/export';
import { href } from '../lib/route';
import { errorText } from '../lib/traces';
import { platform } from '../platform';
import type { ClientReport as Report, ReportGrade } from '../types';

export function ClientReport({ clientId, onClose }: { clientId: string; onClose: () => void }) {
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    let current = true;
    setReport(null);
    setError(null);
    platform.clientReport(clientId).then(
      (r) => current && setReport(r),
      (e) => current && setError(errorText(e)),
    );
    return () => {
      current = false;
    };
  }, [clientId]);

  const saveMarkdown = async () => {
    setSaving(true);
    setError(null);
    try {
      const { text } = await platform.clientReportMarkdown(clientId);
      await downloadText('report.md', text, 'text/markdown');
    } catch (e) {
      setError(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <section class="client-report" data-testid="client-report" aria-label={`Report of ${clientId}`}>
      <div class="sub-label">
        <span>Report</span>
        <span class="report-actions">
          <button type="button" class="btn btn-sm" disabled={saving} onClick={saveMarkdown} data-testid="client-report-markdown">
            Download Markdown
          </button>
          <button type="button" class="btn btn-ghost btn-sm" onClick={onClose}>
            Close
          </button>
        </span>
      </div>
      {error && <div class="banner error">{error}</div>}
      {report === null ? (
        !error && (
          <div class="loading-text">
            <Spinner /> Loading report…
          </div>
        )
      ) : (
        <>
          <GradeHeadline report={report} />
          <dl class="report-summary" data-testid="client-report-summary">
            <div>
              <dt>Requests</dt>
              <dd>{report.summary.requests}</dd>
            </div>
            <div>
              <dt>Failed requests</dt>
              <dd class={report.summary.failed_requests ? 'error-text' : ''}>{report.summary.failed_requests}</dd>
            </div>
            <div>
              <dt>Failed checks</dt>
              <dd class={report.summary.failed_checks ? 'error-text' : ''}>{report.summary.failed_checks}</dd>
            </div>
          </dl>
          {report.grade.length > 0 && (
            <ol class="report-grade">
              {report.grade.map((g) => (
                <GradeItem key={g.check} grade={g} />
              ))}
            </ol>
          )}
        </>
      )}
    </section>
  );
}

/**
 * The Markdown report's "Grade:" headline: nothing to grade when no request was made (not a
 * pass: nothing was checked), else how many rules were broken.
 */
function GradeHeadline({ report }: { report: Report }) {
  const broken = report.grade.length;
  if (report.summary.requests === 0) {
    return (
      <div class="report-headline is-empty" data-testid="client-report-grade" data-grade="nothing">
        <h3>Grade: nothing to grade</h3>
        <p class="small">
          <strong>Warning:</strong> no request of this client reached mockbank, so no check ran.
        </p>
      </div>
    );
  }
  return (
    <div class={`report-headline ${broken ? 'is-broken' : 'is-clean'}`} data-testid="client-report-grade" data-grade={broken ? 'broken' : 'clean'}>
      <h3>Grade: {broken ? `${broken} rule${broken === 1 ? '' : 's'} broken` : 'no rule broken'}</h3>
    </div>
  );
}

function GradeItem({ grade: g }: { grade: ReportGrade }) {
  return (
    <li class="grade-item" data-testid="grade-item" data-check={g.check}>
      <div class="grade-head">
        <strong class="grade-title">{g.title}</strong>
        <span class="tag grade-count" title={`${g.count} failed check${g.count === 1 ? '' : 's'}`}>
          ×{g.count}
        </span>
        <Ident class="mono small grade-check" text={g.check} />
      </div>
      <p class="grade-rule">
        <RichText text={g.rule} />
        {g.spec && (
          <>
            {' '}
            <span class="spec small">
              (
              {g.spec_url ? (
                <a href={g.spec_url} target="_blank" rel="noopener">
                  {g.spec}
                </a>
              ) : (
                g.spec
              )}
              )
            </span>
          </>
        )}
      </p>
      {g.example && (
        <div class="grade-example small">
          <span class="muted">Example: </span>
          {g.example.request && <span class="mono">{g.example.request} </span>}
          <span>— {g.example.detail} </span>
          <a href={href.trace(g.example.trace_id)} title="Open the trace" data-testid="grade-example-trace">
            trace →
          </a>
        </div>
      )}
    </li>
  );
}
