// Hash routes, so mockbank serves one page at /ui/ and deep links still work:
// #/traces, #/traces/<id>[?from=<the opener's route>], #/profiles, #/profiles/<id>[?diff=<other id>],
// #/clients, #/directory, #/compare[?profiles=a,b&cases=none,x], #/walkthroughs,
// #/walkthrough/<name>.

import { useEffect, useState } from 'preact/hooks';

/** The profiles and cases of a comparison; null: every one. */
export interface CompareSelection {
  profiles: string[] | null;
  cases: string[] | null;
}

export type Route =
  | { view: 'traces' }
  /** `from`: the route of the view that opened the trace, for the way back. */
  | { view: 'trace'; id: string; from?: string }
  /** `diff`: the profile that `id` is compared with. */
  | { view: 'profiles'; id?: string; diff?: string }
  | { view: 'clients' }
  | { view: 'directory' }
  /** `selection`: what the URL picks (absent: the URL picks nothing). */
  | { view: 'compare'; selection?: CompareSelection }
  | { view: 'walkthroughs' }
  | { view: 'walkthrough'; name: string };

/** `a,b` lists: ids and case names never contain commas. */
const list = (value: string | null) => (value === null ? null : value.split(',').filter(Boolean));

export function parseRoute(hash: string): Route {
  const bare = hash.replace(/^#\/?/, '');
  const q = bare.indexOf('?');
  const parts = (q < 0 ? bare : bare.slice(0, q)).split('/').filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(q < 0 ? '' : bare.slice(q + 1));
  switch (parts[0]) {
    case 'traces':
      return parts[1] ? { view: 'trace', id: parts[1], from: query.get('from') ?? undefined } : { view: 'traces' };
    case 'profiles':
      return { view: 'profiles', id: parts[1], diff: query.get('diff') ?? undefined };
    case 'clients':
      return { view: 'clients' };
    case 'directory':
      return { view: 'directory' };
    case 'compare': {
      const selection = { profiles: list(query.get('profiles')), cases: list(query.get('cases')) };
      return { view: 'compare', selection: selection.profiles || selection.cases ? selection : undefined };
    }
    case 'walkthroughs':
      return { view: 'walkthroughs' };
    case 'walkthrough':
      return parts[1] ? { view: 'walkthrough', name: parts[1] } : { view: 'walkthroughs' };
    default:
      return { view: 'traces' };
  }
}

const joined = (ids: string[]) => ids.map(encodeURIComponent).join(',');

export const href = {
  traces: () => '#/traces',
  /** `from`: the route to go back to from the trace (see `backFromTrace`). */
  trace: (id: string, from?: string) =>
    `#/traces/${encodeURIComponent(id)}${from ? `?${new URLSearchParams({ from })}` : ''}`,
  profiles: (id?: string, diff?: string) =>
    id ? `#/profiles/${encodeURIComponent(id)}${diff ? `?diff=${encodeURIComponent(diff)}` : ''}` : '#/profiles',
  clients: () => '#/clients',
  directory: () => '#/directory',
  compare: (selection?: CompareSelection) => {
    if (!selection) return '#/compare';
    const query = [
      selection.profiles && `profiles=${joined(selection.profiles)}`,
      selection.cases && `cases=${joined(selection.cases)}`,
    ].filter(Boolean);
    return query.length > 0 ? `#/compare?${query.join('&')}` : '#/compare';
  },
  walkthroughs: () => '#/walkthroughs',
  walkthrough: (name: string) => `#/walkthrough/${encodeURIComponent(name)}`,
};

/**
 * Where a trace's back link leads: back to the comparison that opened it (`from`), else to
 * the trace list. Only a comparison is taken from `from`, rebuilt from its parsed selection.
 */
export function backFromTrace(from: string | undefined): { href: string; label: string; title: string } {
  const opener = from?.startsWith('#/') ? parseRoute(from) : null;
  if (opener?.view === 'compare') {
    return { href: href.compare(opener.selection), label: 'Compare', title: 'Back to the comparison' };
  }
  return { href: href.traces(), label: 'Traces', title: 'Back to the list (Esc)' };
}

export function navigate(to: string): void {
  location.hash = to;
}

/** Goes to `to` in place of the current history entry (Back skips what it replaced). */
export function replaceRoute(to: string): void {
  if (location.hash === to) return;
  history.replaceState(null, '', to);
  dispatchEvent(new HashChangeEvent('hashchange'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}
