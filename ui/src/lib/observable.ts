// A minimal observable store: state lives in plain objects outside the component tree
// (so it survives navigation), and components re-render when it says it changed.

import { useEffect, useReducer } from 'preact/hooks';

export class Observable {
  private readonly listeners = new Set<() => void>();
  private scheduled = false;
  /** Bumped on every change: a cheap dependency for effects. */
  version = 0;

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells listeners once per microtask, however many changes were made in it. */
  protected changed(): void {
    this.version++;
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      for (const listener of this.listeners) listener();
    });
  }
}

/** Re-renders the calling component whenever `store` changes. */
export function useObservable(store: Observable): void {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => store.subscribe(() => bump(undefined)), [store]);
}
