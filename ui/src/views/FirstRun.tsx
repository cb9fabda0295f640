// The empty state: where mockbank is, where its CA is, and a command per profile that
// makes the first trace appear: the server's (`first_run`: curl for an open profile, the
// built-in reference TPP where credentials, mTLS and signing are needed), else a curl. Each
// card can also run the reference TPP's correct registration in-process (`POST
// /admin/compare`), for a desktop user with no `mockbank` command at hand.

import { useState } from 'preact/hooks';
import { CopyButton, RichText, Spinner } from '../components/bits';
import type { Bootstrap, CompareCell, Profile } from '../types';
import { shellQuote } from '../lib/curl';
import { reason } from '../lib/format';
import { notices } from '../lib/notices';
import { href, navigate, parseRoute } from '../lib/route';
import { errorText } from '../lib/traces';
import { platform } from '../platform';

type Entry = Bootstrap['profiles'][number];

function entries(boot: Bootstrap | null, profiles: Profile[]): Entry[] {
  if (boot && boot.profiles.length > 0) return boot.profiles;
  return profiles.map((p) => ({
    id: p.id,
    title: p.title,
    description: p.description,
    issuer: p.issuer,
    registration_endpoint: String(p.discovery.registration_endpoint ?? `${p.issuer}/register`),
  }));
}

export function registerCommand(endpoint: string, redirectUri = 'https://tpp.example/cb'): string {
  const body = JSON.stringify({ redirect_uris: [redirectUri], client_name: 'demo' });
  return `curl --cacert ca.pem -H 'Content-Type: application/json' \\\n  -d ${shellQuote(body)} \\\n  ${endpoint}`;
}

/** Where a "Run it here" stands: what it answered, said in a line. */
type RunHere = { state: 'running' } | { state: 'done'; text: string; failed: boolean };

/** The correct registration ("none" case) of the reference TPP against `profile`, run by the server. */
async function runCorrectRegistration(profile: string): Promise<CompareCell> {
  const matrix = await platform.compare({ profiles: [profile], cases: ['none'] });
  const cell = matrix.cases.find((row) => row.case === 'none')?.results[profile];
  if (!cell) throw new Error(`the server compared no registration on ${profile}`);
  return cell;
}

function outcomeText(cell: CompareCell): string {
  if (!cell.applicable) return 'the reference TPP does not register on this profile';
  if (cell.status === null) return `nothing was answered${cell.error ? `: ${cell.error}` : ''}`;
  const status = `${cell.status} ${reason(cell.status)}`.trim();
  return [status, cell.error, cell.deciding_check && `decided by ${cell.deciding_check}`].filter(Boolean).join(', ');
}

/**
 * Runs the profile's first registration without a terminal, and says how it went. A trace
 * ends the first-run state (the trace list takes this view's place as it arrives), so the
 * outcome is said in a notice too, and the registration's trace is opened.
 */
function RunHereButton({ profile }: { profile: string }) {
  const [run, setRun] = useState<RunHere | null>(null);
  const start = async () => {
    setRun({ state: 'running' });
    try {
      const cell = await runCorrectRegistration(profile);
      const text = outcomeText(cell);
      const failed = cell.status === null || cell.status < 200 || cell.status >= 300;
      setRun({ state: 'done', text, failed });
      notices.say(`Run on ${profile}: ${text}`, failed);
      // Unless the user went to another view meanwhile.
      if (cell.trace_id && parseRoute(location.hash).view === 'traces') navigate(href.trace(cell.trace_id));
    } catch (e) {
      const text = errorText(e);
      setRun({ state: 'done', text, failed: true });
      notices.say(`Run on ${profile} failed: ${text}`, true);
    }
  };
  return (
    <div class="fr-run" data-testid="first-run-run">
      <button
        type="button"
        class="btn btn-sm"
        disabled={run?.state === 'running'}
        onClick={start}
        title="This mockbank's built-in reference TPP registers a client on this profile: no terminal needed"
      >
        {run?.state === 'running' && <Spinner />}
        Run it here
      </button>
      <span class="fr-run-outcome" data-testid="first-run-outcome" role="status">
        {run?.state === 'running' && <span class="muted">Registering…</span>}
        {run?.state === 'done' && <span class={run.failed ? 'error-text' : undefined}>{run.text}</span>}
      </span>
    </div>
  );
}

export function FirstRun({ boot, profiles, baseUrl }: { boot: Bootstrap | null; profiles: Profile[]; baseUrl: string }) {
  const caUrl = `${baseUrl}${boot?.ca_url ?? '/directory/ca.pem'}`;
  const fetchCa = `curl -k -o ca.pem ${caUrl}`;
  // In the desktop app the CA is a file on this machine (the page is not served by mockbank).
  const desktop = platform.desktop;
  return (
    <div class="first-run" data-testid="first-run">
      <div class="fr-hero">
        <span class="pulse" aria-hidden="true" />
        <div>
          <h2>Waiting for the first request</h2>
          <p>
            Every request to mockbank appears here as it happens, with the outcome of each check beside it. Paste one
            of the commands below into a terminal to see your first trace.
          </p>
        </div>
      </div>

      <div class="fr-facts">
        <div class="fact">
          <div class="fact-label">Base URL</div>
          <div class="fact-value">
            <code data-testid="base-url">{baseUrl}</code>
            <CopyButton text={baseUrl} />
          </div>
          <div class="fact-hint">
            Each profile is an issuer under it, <code>{baseUrl}/&lt;profile&gt;</code>, with its own discovery document.
          </div>
        </div>
        {desktop ? (
          <div class="fact">
            <div class="fact-label">CA certificate</div>
            <div class="fact-value">
              <code data-testid="ca-file">{desktop.caFile}</code>
              <CopyButton text={`cp ${shellQuote(desktop.caFile)} ca.pem`} label="Copy cp command" />
            </div>
            <div class="fact-hint">
              Signs the server and test certificates. Copy it next to your commands as <code>ca.pem</code>, or put it on
              the clipboard with <em>Copy CA</em> at the top.
            </div>
          </div>
        ) : (
          <div class="fact">
            <div class="fact-label">CA certificate</div>
            <div class="fact-value">
              <a href="/directory/ca.pem" download="ca.pem">
                <code>/directory/ca.pem</code>
              </a>
              <CopyButton text={fetchCa} label="Copy download command" />
            </div>
            <div class="fact-hint">
              Signs the server and test certificates. Save it as <code>ca.pem</code> — it is also the{' '}
              <code>ca_cert</code> file named in mockbank's ready line.
            </div>
          </div>
        )}
      </div>

      <h3 class="fr-section">Register a client</h3>
      <p class="muted small fr-cli-note" data-testid="first-run-cli-note">
        A command that starts with <code>mockbank</code> needs it on the PATH, where an installed package puts it. In a
        source checkout, <code>scripts/mockbank</code> runs it from any folder (building it first if needed). No
        terminal at hand? <em>Run it here</em> has this mockbank send the profile's correct registration itself.
      </p>
      <div class="fr-profiles">
        {entries(boot, profiles).map((p) => {
          const good = p.first_run?.command ?? registerCommand(p.registration_endpoint);
          const bad = registerCommand(p.registration_endpoint, 'https://tpp.example/cb#fragment');
          return (
            <section class="card fr-profile" key={p.id} data-profile={p.id}>
              <header>
                <h4>{p.title}</h4>
                <span class="tag">{p.id}</span>
              </header>
              <p class="muted small">
                <RichText text={p.description} />
              </p>
              <div class="cmd">
                <pre class="code" data-testid="first-run-command">{good}</pre>
                <CopyButton text={good} />
              </div>
              {p.first_run && (
                <p class="muted small fr-note" data-testid="first-run-note">
                  {p.first_run.note}
                </p>
              )}
              <RunHereButton profile={p.id} />
              <details>
                <summary>A request that fails a check</summary>
                <div class="cmd">
                  <pre class="code">{bad}</pre>
                  <CopyButton text={bad} />
                </div>
              </details>
            </section>
          );
        })}
      </div>
    </div>
  );
}
