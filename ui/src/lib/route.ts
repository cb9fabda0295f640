// Hash routes, so mockbank serves one page at /ui/ and deep links still work:
// #/traces, #/traces/<id>, #/profiles, #/profiles/<id>, #/clients, #/directory, #/compare,
// #/walkthroughs, #/walkthrough/<name>.

import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { view: 'traces' }
  | { view: 'trace'; id: string }
  | { view: 'profiles'; id?: string }
  | { view: 'clients' }
  | { view: 'directory' }
  | { view: 'compare' }
  | { view: 'walkthroughs' }
  | { view: 'walkthrough'; name: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  switch (parts[0]) {
    case 'traces':
      return parts[1] ? { view: 'trace', id: parts[1] } : { view: 'traces' };
    case 'profiles':
      return { view: 'profiles', id: parts[1] };
    case 'clients':
      return { view: 'clients' };
    case 'directory':
      return { view: 'directory' };
    case 'compare':
      return { view: 'compare' };
    case 'walkthroughs':
      return { view: 'walkthroughs' };
    case 'walkthrough':
      return parts[1] ? { view: 'walkthrough', name: parts[1] } : { view: 'walkthroughs' };
    default:
      return { view: 'traces' };
  }
}

export const href = {
  traces: () => '#/traces',
  trace: (id: string) => `#/traces/${encodeURIComponent(id)}`,
  profiles: (id?: string) => (id ? `#/profiles/${encodeURIComponent(id)}` : '#/profiles'),
  clients: () => '#/clients',
  directory: () => '#/directory',
  compare: () => '#/compare',
  walkthroughs: () => '#/walkthroughs',
  walkthrough: (name: string) => `#/walkthrough/${encodeURIComponent(name)}`,
};

export function navigate(to: string): void {
  location.hash = to;
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
