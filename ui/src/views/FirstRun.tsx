// The empty state: where mockbank is, where its CA is, and a command per profile that
// makes the first trace appear: the server's (`first_run`: curl for an open profile, the
// built-in reference TPP where credentials, mTLS and signing are needed), else a curl.

import { CopyButton, RichText } from '../components/bits';
import type { Bootstrap, FirstRunHint, Profile } from '../types';
import { shellQuote } from '../lib/curl';
import { platform } from '../platform';

interface Entry {
  id: string;
  title: string;
  description: string;
  issuer: string;
  registration_endpoint: string;
  first_run?: FirstRunHint;
}

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
