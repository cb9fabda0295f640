// The shell: sign-in state, the top bar, and which view the route shows.

import { useEffect, useState } from 'preact/hooks';
import { Logo } from './components/bits';
import { notices } from './lib/notices';
import { useObservable } from './lib/observable';
import { href, useRoute } from './lib/route';
import { errorText, traces } from './lib/traces';
import { platform, type StreamStatus } from './platform';
import type { Profile } from './types';
import { ClientsView } from './views/Clients';
import { CompareView } from './views/Compare';
import { DirectoryView } from './views/Directory';
import { ProfilesView } from './views/Profiles';
import { SignIn } from './views/SignIn';
import { TraceDetail } from './views/TraceDetail';
import { TracesView } from './views/Traces';
import { WalkthroughsView, WalkthroughView } from './views/Walkthrough';

type Session = 'checking' | 'signed-in' | 'signed-out' | 'unreachable';

const STATUS_TEXT: Record<StreamStatus, string> = {
  connecting: 'Connecting',
  live: 'Live',
  offline: 'Reconnecting',
  'signed-out': 'Signed out',
};

function LiveIndicator() {
  useObservable(traces);
  const s = traces.status;
  return (
    <span class={`live live-${s}`} data-testid="live" data-status={s} title="The trace feed">
      <span class="live-dot" aria-hidden="true" />
      {STATUS_TEXT[s]}
    </span>
  );
}

/** The desktop app's buttons: copy the CA certificate, open the data folder. */
function DesktopActions() {
  const desktop = platform.desktop;
  const [note, setNote] = useState<{ text: string; failed: boolean } | null>(null);
  if (!desktop) return null;
  const run = async (action: () => Promise<string>, done: (path: string) => string) => {
    try {
      setNote({ text: done(await action()), failed: false });
    } catch (e) {
      setNote({ text: errorText(e), failed: true });
    }
    setTimeout(() => setNote(null), 4000);
  };
  return (
    <>
      {note && (
        <span class={`desktop-note${note.failed ? ' failed' : ''}`} role="status" title={note.text}>
          {note.text}
        </span>
      )}
      <button
        type="button"
        class="btn btn-dark btn-sm"
        title="Put the CA certificate (PEM) on the clipboard"
        onClick={() => run(desktop.copyCa, (path) => `CA certificate copied (${path})`)}
      >
        Copy CA
      </button>
      <button
        type="button"
        class="btn btn-dark btn-sm"
        title="Open the data folder: database, CA, admin token"
        onClick={() => run(desktop.openDataFolder, (path) => `Opened ${path}`)}
      >
        Data folder
      </button>
    </>
  );
}

/** Where a file was saved, or why it was not. */
function Notices() {
  useObservable(notices);
  if (notices.list.length === 0) return null;
  return (
    <div class="notices" role="status" aria-live="polite">
      {notices.list.map((n) => (
        <div key={n.id} class={`notice${n.failed ? ' failed' : ''}`} data-testid="notice">
          <span class="notice-text">{n.text}</span>
          <button type="button" class="notice-close" aria-label="Dismiss" onClick={() => notices.dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

export function App() {
  const boot = platform.bootstrap();
  const route = useRoute();
  const [session, setSession] = useState<Session>('checking');
  const [problem, setProblem] = useState<string | null>(null);
  const [profiles, setProfiles] = useState<Profile[]>([]);
  const [profilesError, setProfilesError] = useState<string | null>(null);

  const check = async () => {
    try {
      setSession((await platform.signedIn()) ? 'signed-in' : 'signed-out');
    } catch (e) {
      setProblem(errorText(e));
      setSession('unreachable');
    }
  };

  useEffect(() => {
    // The one-time sign-in code has done its work: keep it out of the address bar.
    if (location.search) history.replaceState(null, '', location.pathname + location.hash);
    void check();
  }, []);

  useEffect(() => {
    if (session !== 'signed-in') return;
    traces.onSignedOut = () => setSession('signed-out');
    traces.start();
    platform.listProfiles().then(setProfiles, (e) => setProfilesError(errorText(e)));
    return () => traces.stop();
  }, [session]);

  if (session === 'checking') return <div class="boot">Loading…</div>;
  if (session === 'unreachable') {
    return (
      <div class="boot">
        <p class="alert">mockbank did not answer: {problem}</p>
        <button class="btn" onClick={() => location.reload()}>
          Retry
        </button>
      </div>
    );
  }
  if (session === 'signed-out') return <SignIn boot={boot} onSignedIn={() => setSession('signed-in')} />;

  const signOut = async () => {
    traces.stop();
    await platform.signOut().catch(() => undefined);
    setSession('signed-out');
  };
  const tab = route.view === 'trace' ? 'traces' : route.view === 'walkthrough' ? 'walkthroughs' : route.view;
  // An override answers the whole profile: it replaces the one the list had.
  const updateProfile = (updated: Profile) => setProfiles((ps) => ps.map((p) => (p.id === updated.id ? updated : p)));

  return (
    <div class="app">
      <header class="topbar">
        <a class="brand" href={href.traces()}>
          <Logo />
          <span>mockbank</span>
        </a>
        <nav class="tabs">
          <a href={href.traces()} class={tab === 'traces' ? 'on' : ''}>
            Traces
          </a>
          <a href={href.profiles()} class={tab === 'profiles' ? 'on' : ''}>
            Profiles
          </a>
          <a href={href.clients()} class={tab === 'clients' ? 'on' : ''}>
            Clients
          </a>
          <a href={href.directory()} class={tab === 'directory' ? 'on' : ''}>
            Directory
          </a>
          <a href={href.compare()} class={tab === 'compare' ? 'on' : ''}>
            Compare
          </a>
          <a href={href.walkthroughs()} class={tab === 'walkthroughs' ? 'on' : ''}>
            Walkthroughs
          </a>
        </nav>
        <div class="spacer" />
        <LiveIndicator />
        {boot && <code class="base-url" title="Base URL">{boot.base_url}</code>}
        {platform.desktop ? (
          <DesktopActions />
        ) : (
          <button type="button" class="btn btn-dark btn-sm" onClick={signOut}>
            Sign out
          </button>
        )}
      </header>
      <main class="main">
        {route.view === 'traces' && <TracesView profiles={profiles} boot={boot} />}
        {route.view === 'trace' && <TraceDetail id={route.id} boot={boot} />}
        {route.view === 'profiles' && (
          <ProfilesView profiles={profiles} id={route.id} diff={route.diff} error={profilesError} onChange={updateProfile} />
        )}
        {route.view === 'clients' && <ClientsView profiles={profiles} />}
        {route.view === 'directory' && <DirectoryView profiles={profiles} />}
        {route.view === 'compare' && <CompareView profiles={profiles} selection={route.selection} />}
        {route.view === 'walkthroughs' && <WalkthroughsView />}
        {route.view === 'walkthrough' && <WalkthroughView name={route.name} />}
      </main>
      <Notices />
    </div>
  );
}
