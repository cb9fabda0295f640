// The Compare view's state, kept outside the view so that opening a cell's trace and coming
// back finds the picks and the matrix still there, and a run that is still going lands.

import { platform } from '../platform';
import type { CompareCase, CompareCell, CompareCheck, CompareMatrix, CompareRequest, CompareRow } from '../types';
import { Observable } from './observable';
import { errorText } from './traces';

const cellKey = (c: CompareCell) => JSON.stringify([c.status, c.error, c.deciding_check]);

/** Whether the applicable cells of a row differ (as the server's `row_differs` decides). */
export function rowDiffers(row: CompareRow, profiles: string[]): boolean {
  const cells = profiles.map((p) => row.results[p]).filter((c) => c && c.applicable);
  return new Set(cells.map(cellKey)).size > 1;
}

export function checkDiffers(check: CompareCheck, profiles: string[]): boolean {
  return new Set(profiles.map((p) => check.outcomes[p] ?? 'absent')).size > 1;
}

export type Pick = 'profiles' | 'cases';

class CompareStore extends Observable {
  cases: CompareCase[] | null = null;
  casesError: string | null = null;
  /** What is ticked; null: everything (the lists arrive after the first render). */
  picked: Record<Pick, string[] | null> = { profiles: null, cases: null };
  /** The request being run, if one is. */
  running: CompareRequest | null = null;
  matrix: CompareMatrix | null = null;
  /** What `matrix` answers: the exports send it again. */
  request: CompareRequest | null = null;
  error: string | null = null;
  private loadingCases = false;

  loadCases(): void {
    if (this.cases || this.loadingCases) return;
    this.loadingCases = true;
    this.casesError = null;
    platform.compareCases().then(
      (cases) => {
        this.cases = cases;
        this.loadingCases = false;
        this.changed();
      },
      (e) => {
        this.casesError = errorText(e);
        this.loadingCases = false;
        this.changed();
      },
    );
  }

  /** The ticked ids of `all`, in its order. */
  ticked(kind: Pick, all: string[]): string[] {
    const picked = this.picked[kind];
    return picked ? all.filter((id) => picked.includes(id)) : all;
  }

  tick(kind: Pick, all: string[], id: string, on: boolean): void {
    const now = this.ticked(kind, all);
    this.picked = { ...this.picked, [kind]: on ? all.filter((x) => x === id || now.includes(x)) : now.filter((x) => x !== id) };
    this.changed();
  }

  /** `null`: every one. */
  tickAll(kind: Pick, ids: string[] | null): void {
    this.picked = { ...this.picked, [kind]: ids };
    this.changed();
  }

  async run(req: CompareRequest): Promise<void> {
    if (this.running) return;
    this.running = req;
    this.error = null;
    this.changed();
    try {
      this.matrix = await platform.compare(req);
      this.request = req;
    } catch (e) {
      this.error = errorText(e);
    } finally {
      this.running = null;
      this.changed();
    }
  }
}

export const comparison = new CompareStore();
