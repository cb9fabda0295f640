// The Walkthrough view's state, kept outside the view: opening an arrow's trace and coming
// back finds the run where the trainer left it. A run is created on the server with the
// first step run (`POST /admin/scenarios/{name}/runs`) and its id kept in sessionStorage,
// so a reload of the page picks the run up again (`GET /admin/scenario-runs/{id}`). A step
// that ran before an earlier step ran again is stale: it shows what happened on top of that
// step's previous run, and → runs it again.

import { ApiError, platform } from '../platform';
import type { Scenario, ScenarioRunStart, ScenarioSummary, StepResult } from '../types';
import { Observable } from './observable';
import { errorText } from './traces';

/** The step being run, and with which deviation ("break it"), if any. */
export interface Busy {
  index: number;
  deviation: string | null;
}

/** Where a step stands, for its badge. */
export type StepState = 'not-run' | 'running' | 'ok' | 'fail' | 'stale';

const storageKey = (name: string) => `mockbank.walkthrough.${name}`;

interface Saved {
  run_id: string;
  current: number;
}

function readSaved(name: string): Saved | null {
  try {
    const raw = sessionStorage.getItem(storageKey(name));
    const saved = raw ? (JSON.parse(raw) as Partial<Saved>) : null;
    return saved && typeof saved.run_id === 'string' ? { run_id: saved.run_id, current: Number(saved.current ?? -1) } : null;
  } catch {
    return null;
  }
}

/**
 * The order in which a reloaded run's results came, by their traces' sequence numbers; a
 * result without traces (a narration) is taken to have come with the one before it.
 */
function restoredOrder(results: (StepResult | null)[]): number[] {
  let previous = 0;
  return results.map((r) => {
    if (!r) return 0;
    const seqs = (r.traces ?? []).map((t) => t.seq);
    if (seqs.length > 0) previous = Math.max(...seqs);
    return previous;
  });
}

function writeSaved(name: string, saved: Saved | null): void {
  try {
    if (saved) sessionStorage.setItem(storageKey(name), JSON.stringify(saved));
    else sessionStorage.removeItem(storageKey(name));
  } catch {
    // no storage (a private window): the run lasts as long as the page
  }
}

class WalkthroughStore extends Observable {
  list: ScenarioSummary[] | null = null;
  listError: string | null = null;

  /** The scenario open (or being loaded). */
  name: string | null = null;
  scenario: Scenario | null = null;
  loadError: string | null = null;
  /** The profile the next run will use (null: the scenario's first). */
  profile: string | null = null;
  run: ScenarioRunStart | null = null;
  /** Each step's latest result; null: not run in this run. */
  results: (StepResult | null)[] = [];
  /** When each step's latest result came, as a rising count (0 or absent: not run). */
  private ranAt: number[] = [];
  private runs = 0;
  /** The step shown; -1 is the introduction. */
  current = -1;
  busy: Busy | null = null;
  /** Why the last step could not be run (an admin API refusal, not a step that failed). */
  runError: string | null = null;
  /** Bumped whenever another scenario is opened or the run restarts: late answers are dropped. */
  private generation = 0;
  private loadingList = false;

  loadList(): void {
    if (this.loadingList) return;
    this.loadingList = true;
    this.listError = null;
    platform.listScenarios().then(
      (list) => {
        this.list = list;
        this.loadingList = false;
        this.changed();
      },
      (e) => {
        this.listError = errorText(e);
        this.loadingList = false;
        this.changed();
      },
    );
  }

  /** Opens scenario `name`; the one already open stays as it is. */
  open(name: string): void {
    if (this.name === name && (this.scenario || this.loadError === null)) return;
    const gen = ++this.generation;
    this.name = name;
    this.scenario = null;
    this.loadError = null;
    this.profile = null;
    this.run = null;
    this.results = [];
    this.forgetRunOrder();
    this.current = -1;
    this.busy = null;
    this.runError = null;
    this.changed();
    void this.load(name, gen);
  }

  private async load(name: string, gen: number): Promise<void> {
    let scenario: Scenario;
    try {
      scenario = await platform.scenario(name);
    } catch (e) {
      if (gen !== this.generation) return;
      this.loadError = errorText(e);
      this.changed();
      return;
    }
    if (gen !== this.generation) return;
    this.scenario = scenario;
    this.results = scenario.steps.map(() => null);
    this.changed();
    // The run this tab had going before a reload, if the server still has it.
    const saved = readSaved(name);
    if (!saved) return;
    try {
      const run = await platform.scenarioRun(saved.run_id);
      if (gen !== this.generation || this.run) return;
      this.run = { run_id: run.run_id, name: run.name, profile: run.profile, steps: scenario.steps.length };
      this.profile = run.profile;
      this.results = scenario.steps.map((_, i) => run.results[i] ?? null);
      this.ranAt = restoredOrder(this.results);
      this.runs = Math.max(0, ...this.ranAt);
      this.current = Math.min(Math.max(-1, saved.current), scenario.steps.length - 1);
      this.changed();
    } catch {
      if (gen === this.generation) writeSaved(name, null);
    }
  }

  get steps(): number {
    return this.scenario?.steps.length ?? 0;
  }

  stateOf(index: number): StepState {
    if (this.busy?.index === index) return 'running';
    const r = this.results[index];
    if (!r) return 'not-run';
    if (this.ranAgainBefore(index) !== null) return 'stale';
    return r.ok ? 'ok' : 'fail';
  }

  /** The first step before `index` that ran again after it did (its result is stale), if any. */
  ranAgainBefore(index: number): number | null {
    const at = this.ranAt[index] ?? 0;
    const earlier = this.ranAt.slice(0, index).findIndex((t) => t > at);
    return earlier < 0 ? null : earlier;
  }

  /** Not run, or stale: → runs it. */
  needsRun(index: number): boolean {
    return !this.results[index] || this.ranAgainBefore(index) !== null;
  }

  /** Shows step `index` (-1: the introduction) without running anything. */
  show(index: number): void {
    const at = Math.min(Math.max(-1, index), this.steps - 1);
    if (at === this.current) return;
    this.current = at;
    this.save();
    this.changed();
  }

  /** The next step, run first if it has not been (→); the current one if it has not run. */
  next(): void {
    if (this.busy || !this.scenario) return;
    // A step opened from the list but not run yet (or stale): → runs it first.
    if (this.current >= 0 && this.needsRun(this.current)) {
      void this.runTo(this.current);
      return;
    }
    if (this.current >= this.steps - 1) return;
    this.show(this.current + 1);
    if (this.needsRun(this.current)) void this.runTo(this.current);
  }

  /** The step before, as it ran (←). */
  prev(): void {
    if (this.current > -1) this.show(this.current - 1);
  }

  /** A new run on `profile` from the next step on; the results so far go. */
  setProfile(profile: string): void {
    if (this.busy || profile === (this.run?.profile ?? this.profile)) return;
    this.profile = profile;
    this.restart();
  }

  /** Forgets the run: the next step run starts a new one. */
  restart(): void {
    if (this.busy) return;
    this.generation++;
    this.run = null;
    this.results = this.scenario ? this.scenario.steps.map(() => null) : [];
    this.forgetRunOrder();
    this.runError = null;
    this.current = -1;
    if (this.name) writeSaved(this.name, null);
    this.changed();
  }

  /** Runs step `index`, and before it every earlier step that has not run or is stale (in order). */
  async runTo(index: number): Promise<void> {
    await this.rerun(index, null);
  }

  /**
   * Runs step `index` again: broken with `deviation`, or as written (null). Earlier steps
   * that have not run or are stale go first; the steps after it are stale then.
   */
  async rerun(index: number, deviation: string | null): Promise<void> {
    for (let i = 0; i < index; i++) {
      if (this.needsRun(i) && !(await this.runStep(i, null))) return;
    }
    await this.runStep(index, deviation);
  }

  /** False when the admin API refused (nothing to build the next step on). */
  private async runStep(index: number, deviation: string | null): Promise<boolean> {
    if (!this.scenario || !this.name || (this.busy && this.busy.index !== index)) return false;
    const gen = this.generation;
    const name = this.name;
    this.busy = { index, deviation };
    this.runError = null;
    this.changed();
    try {
      if (!this.run) {
        const run = await platform.startScenarioRun(name, this.profile ?? undefined);
        if (gen !== this.generation) return false;
        this.run = run;
        this.profile = run.profile;
        this.save();
      }
      const result = await platform.runScenarioStep(this.run.run_id, index, deviation ?? undefined);
      if (gen !== this.generation) return false;
      this.results = this.results.map((r, i) => (i === index ? result : r));
      this.ranAt[index] = ++this.runs;
      return true;
    } catch (e) {
      if (gen !== this.generation) return false;
      // The server keeps a few dozen runs, in memory: an old one may be gone.
      const gone = e instanceof ApiError && e.status === 404 && this.run !== null;
      this.runError = gone ? `${errorText(e)}: restart the walkthrough to begin a new run` : errorText(e);
      return false;
    } finally {
      if (gen === this.generation) {
        this.busy = null;
        this.changed();
      }
    }
  }

  private forgetRunOrder(): void {
    this.ranAt = [];
    this.runs = 0;
  }

  private save(): void {
    if (this.name && this.run) writeSaved(this.name, { run_id: this.run.run_id, current: this.current });
  }
}

export const walkthrough = new WalkthroughStore();
