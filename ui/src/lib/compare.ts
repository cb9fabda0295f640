// The Compare view's state, kept outside the view so that opening a cell's trace and coming
// back finds the picks and the matrix still there, and a run that is still going lands; and
// the count of what comparisons (and walkthroughs) leave behind, with the action that clears it.

import { platform } from '../platform';
import type {
  CompareCase,
  CompareCell,
  CompareCheck,
  CompareMatrix,
  CompareRequest,
  CompareRow,
  Leftovers,
  LeftoversCleared,
} from '../types';
import { Observable } from './observable';
import type { CompareSelection } from './route';
import { errorText } from './traces';

const cellKey = (c: CompareCell) => JSON.stringify([c.status, c.error, c.deciding_check]);

/** Whether the applicable cells of a row differ (as the server's `row_differs` decides). */
export function rowDiffers(row: CompareRow, profiles: string[]): boolean {
  const cells = profiles.map((p) => row.results[p]).filter((c) => c && c.applicable);
  return new Set(cells.map(cellKey)).size > 1;
}

/** Whether a case applies to at least one of the profiles (as the server's `row_applies`). */
export function rowApplies(row: CompareRow, profiles: string[]): boolean {
  return profiles.some((p) => row.results[p]?.applicable);
}

/** The outcomes of a check in the profiles whose correct registration ran it. */
const ranOutcomes = (check: CompareCheck, profiles: string[]) =>
  profiles.map((p) => check.outcomes[p] ?? 'absent').filter((o) => o !== 'absent');

/**
 * Whether a check differs (as the server's `check_differs`): it ran in at least two of the
 * profiles and not with the same outcome in each. A profile that does not run a check says
 * nothing about its outcome, so `absent` alone is no difference.
 */
export function checkDiffers(check: CompareCheck, profiles: string[]): boolean {
  const ran = ranOutcomes(check, profiles);
  return ran.length >= 2 && new Set(ran).size > 1;
}

/**
 * The checks in two groups: `compared`, those that differ or ran in every profile; and
 * `partial`, the others (absent in some profile, and not differing where they ran).
 */
export function groupChecks(checks: CompareCheck[], profiles: string[]): { compared: CompareCheck[]; partial: CompareCheck[] } {
  const compared: CompareCheck[] = [];
  const partial: CompareCheck[] = [];
  for (const c of checks) {
    const everywhere = ranOutcomes(c, profiles).length === profiles.length;
    (everywhere || checkDiffers(c, profiles) ? compared : partial).push(c);
  }
  return { compared, partial };
}

const sameList = (x: string[] | null | undefined, y: string[] | null | undefined) =>
  JSON.stringify(x ?? null) === JSON.stringify(y ?? null);

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

  /**
   * Ticks what a compare URL picks. A matrix of another selection is dropped (the URL names
   * this one); the one of this selection, or the run of it that is going, stays.
   */
  select(selection: CompareSelection): void {
    this.picked = { ...selection };
    const current = this.running ?? this.request;
    if (!current || !sameList(current.profiles, selection.profiles) || !sameList(current.cases, selection.cases)) {
      this.matrix = null;
      this.request = null;
    }
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
      void leftovers.refresh();
    }
  }
}

export const comparison = new CompareStore();

class LeftoverStore extends Observable {
  /** Null: not known, or the server has no `/admin/leftovers` (then nothing is offered). */
  counts: Leftovers | null = null;
  clearing = false;
  error: string | null = null;

  async refresh(): Promise<void> {
    try {
      this.counts = await platform.request<Leftovers>('GET', '/admin/leftovers');
    } catch {
      // An older server, or a session that ended (which the trace feed reports): no offer.
      this.counts = null;
    }
    this.changed();
  }

  /** Deletes the leftovers: what was deleted, or null when the server refused (`error` says why). */
  async clear(): Promise<LeftoversCleared | null> {
    this.clearing = true;
    this.error = null;
    this.changed();
    try {
      return await platform.request<LeftoversCleared>('DELETE', '/admin/leftovers');
    } catch (e) {
      this.error = errorText(e);
      return null;
    } finally {
      this.clearing = false;
      await this.refresh();
    }
  }
}

/** What comparisons, walkthroughs and the first-run "run it" buttons registered and minted. */
export const leftovers = new LeftoverStore();
